//! Encoder settings both ways: onair's ladder and audio as MediaLive's video and
//! audio descriptions and MediaPackage output group, and back for drift detection.

use aws_sdk_medialive::types as t;

use crate::aws::medialive::*;

use super::{AUDIO, DESTINATION};

fn output_name(r: &VideoRendition) -> String {
    format!("video_{}", r.name)
}

/// CMAF Ingest to MediaPackage v2: SCTE-35 passed on as such (what v2
/// endpoints turn into the ad markers MediaTailor reads).
fn v2_settings() -> t::MediaPackageV2GroupSettings {
    t::MediaPackageV2GroupSettings::builder()
        .scte35_type(t::Scte35Type::Scte35WithoutSegmentation)
        .build()
}

/// onair's encoding to MediaLive's encoder settings: one H.264 QVBR video description
/// per rendition, one AAC audio description, one MediaPackage output group (in
/// v2 mode, CMAF Ingest, when it sends to a MediaPackage v2 channel).
pub(super) fn encoder_settings(e: &Encoding, to: &[PackagingDestination]) -> t::EncoderSettings {
    let video = e.renditions.iter().map(|r| {
        t::VideoDescription::builder()
            .name(output_name(r))
            .width(r.width as i32)
            .height(r.height as i32)
            .codec_settings(
                t::VideoCodecSettings::builder()
                    .h264_settings(
                        t::H264Settings::builder()
                            .rate_control_mode(t::H264RateControlMode::Qvbr)
                            .max_bitrate(r.max_bitrate as i32)
                            .framerate_control(t::H264FramerateControl::Specified)
                            .framerate_numerator(r.framerate_numerator as i32)
                            .framerate_denominator(r.framerate_denominator as i32)
                            .gop_size(f64::from(e.gop_seconds))
                            .gop_size_units(t::H264GopSizeUnits::Seconds)
                            .par_control(t::H264ParControl::Specified)
                            .par_numerator(1)
                            .par_denominator(1)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let audio = t::AudioDescription::builder()
        .name(AUDIO)
        .audio_selector_name("default")
        .codec_settings(
            t::AudioCodecSettings::builder()
                .aac_settings(
                    t::AacSettings::builder()
                        .bitrate(f64::from(e.audio_bitrate))
                        .sample_rate(f64::from(e.audio_sample_rate))
                        .coding_mode(t::AacCodingMode::CodingMode20)
                        .build(),
                )
                .build(),
        )
        .build();
    let outputs = e.renditions.iter().map(|r| {
        t::Output::builder()
            .output_name(output_name(r))
            .video_description_name(output_name(r))
            .audio_description_names(AUDIO)
            .output_settings(
                t::OutputSettings::builder()
                    .media_package_output_settings(t::MediaPackageOutputSettings::builder().build())
                    .build(),
            )
            .build()
    });
    t::EncoderSettings::builder()
        .set_video_descriptions(Some(video.collect()))
        .audio_descriptions(audio)
        .output_groups(
            t::OutputGroup::builder()
                .name("mediapackage")
                .output_group_settings(
                    t::OutputGroupSettings::builder()
                        .media_package_group_settings(
                            t::MediaPackageGroupSettings::builder()
                                .destination(
                                    t::OutputLocationRef::builder()
                                        .destination_ref_id(DESTINATION)
                                        .build(),
                                )
                                .set_mediapackage_v2_group_settings(
                                    to.iter().any(PackagingDestination::is_v2).then(v2_settings),
                                )
                                .build(),
                        )
                        .build(),
                )
                .set_outputs(Some(outputs.collect()))
                .build(),
        )
        .timecode_config(
            t::TimecodeConfig::builder()
                .source(t::TimecodeConfigSource::Systemclock)
                .build(),
        )
        .build()
}

/// MediaLive's encoder settings back to onair's encoding, for drift detection.
pub(super) fn encoding_from(s: Option<&t::EncoderSettings>) -> Encoding {
    let Some(s) = s else {
        return Encoding::default();
    };
    let mut gop_seconds = 0;
    let renditions = s
        .video_descriptions()
        .iter()
        .map(|v| {
            let h = v.codec_settings().and_then(|c| c.h264_settings());
            if let Some(g) = h.and_then(|h| h.gop_size()) {
                gop_seconds = g.round() as u32;
            }
            VideoRendition {
                name: v
                    .name()
                    .unwrap_or_default()
                    .trim_start_matches("video_")
                    .into(),
                width: v.width().unwrap_or_default() as u32,
                height: v.height().unwrap_or_default() as u32,
                max_bitrate: h.and_then(|h| h.max_bitrate()).unwrap_or_default() as u32,
                framerate_numerator: h.and_then(|h| h.framerate_numerator()).unwrap_or_default()
                    as u32,
                framerate_denominator: h
                    .and_then(|h| h.framerate_denominator())
                    .unwrap_or_default() as u32,
            }
        })
        .collect();
    let aac = s
        .audio_descriptions()
        .first()
        .and_then(|a| a.codec_settings())
        .and_then(|c| c.aac_settings());
    Encoding {
        renditions,
        audio_bitrate: aac.and_then(|a| a.bitrate()).unwrap_or_default() as u32,
        audio_sample_rate: aac.and_then(|a| a.sample_rate()).unwrap_or_default() as u32,
        gop_seconds,
    }
}
