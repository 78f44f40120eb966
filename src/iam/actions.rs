//! The IAM actions of every operation of the AWS layer, and the list of those
//! operations (from each service trait's `OPERATIONS`).

use crate::aws::service::Service;

/// The IAM actions one operation of the AWS layer needs (tags written at
/// creation need the service's tagging action too).
pub fn actions(service: Service, operation: &str) -> Option<&'static [&'static str]> {
    use Service::*;
    let actions: &'static [&'static str] = match (service, operation) {
        (MediaLive, "create_input_security_group") => {
            &["medialive:CreateInputSecurityGroup", "medialive:CreateTags"]
        }
        (MediaLive, "describe_input_security_group") => &["medialive:DescribeInputSecurityGroup"],
        (MediaLive, "update_input_security_group") => &["medialive:UpdateInputSecurityGroup"],
        (MediaLive, "delete_input_security_group") => &["medialive:DeleteInputSecurityGroup"],
        (MediaLive, "list_input_security_groups") => &["medialive:ListInputSecurityGroups"],
        (MediaLive, "create_input") => &["medialive:CreateInput", "medialive:CreateTags"],
        (MediaLive, "describe_input") => &["medialive:DescribeInput"],
        (MediaLive, "update_input") => &["medialive:UpdateInput"],
        (MediaLive, "delete_input") => &["medialive:DeleteInput"],
        (MediaLive, "list_inputs") => &["medialive:ListInputs"],
        (MediaLive, "create_channel") => &["medialive:CreateChannel", "medialive:CreateTags"],
        (MediaLive, "describe_channel") => &["medialive:DescribeChannel"],
        (MediaLive, "update_channel") => &["medialive:UpdateChannel"],
        (MediaLive, "delete_channel") => &["medialive:DeleteChannel"],
        (MediaLive, "start_channel") => &["medialive:StartChannel"],
        (MediaLive, "stop_channel") => &["medialive:StopChannel"],
        (MediaLive, "list_channels") => &["medialive:ListChannels"],
        (MediaLive, "batch_update_schedule") => &["medialive:BatchUpdateSchedule"],
        (MediaLive, "describe_schedule") => &["medialive:DescribeSchedule"],
        (MediaPackage, "create_channel") => {
            &["mediapackage:CreateChannel", "mediapackage:TagResource"]
        }
        (MediaPackage, "describe_channel") => &["mediapackage:DescribeChannel"],
        (MediaPackage, "list_channels") => &["mediapackage:ListChannels"],
        (MediaPackage, "delete_channel") => &["mediapackage:DeleteChannel"],
        (MediaPackage, "create_origin_endpoint") => &[
            "mediapackage:CreateOriginEndpoint",
            "mediapackage:TagResource",
        ],
        (MediaPackage, "describe_origin_endpoint") => &["mediapackage:DescribeOriginEndpoint"],
        (MediaPackage, "update_origin_endpoint") => &["mediapackage:UpdateOriginEndpoint"],
        (MediaPackage, "delete_origin_endpoint") => &["mediapackage:DeleteOriginEndpoint"],
        (MediaPackage, "list_origin_endpoints") => &["mediapackage:ListOriginEndpoints"],
        (MediaPackage, "create_harvest_job") => &["mediapackage:CreateHarvestJob"],
        (MediaPackage, "describe_harvest_job") => &["mediapackage:DescribeHarvestJob"],
        (MediaPackage, "list_harvest_jobs") => &["mediapackage:ListHarvestJobs"],
        (MediaPackageV2, "create_channel_group") => &[
            "mediapackagev2:CreateChannelGroup",
            "mediapackagev2:TagResource",
        ],
        (MediaPackageV2, "get_channel_group") => &["mediapackagev2:GetChannelGroup"],
        (MediaPackageV2, "list_channel_groups") => &["mediapackagev2:ListChannelGroups"],
        (MediaPackageV2, "delete_channel_group") => &["mediapackagev2:DeleteChannelGroup"],
        (MediaPackageV2, "create_channel") => {
            &["mediapackagev2:CreateChannel", "mediapackagev2:TagResource"]
        }
        (MediaPackageV2, "get_channel") => &["mediapackagev2:GetChannel"],
        (MediaPackageV2, "list_channels") => &["mediapackagev2:ListChannels"],
        (MediaPackageV2, "delete_channel") => &["mediapackagev2:DeleteChannel"],
        (MediaPackageV2, "put_channel_policy") => &["mediapackagev2:PutChannelPolicy"],
        (MediaPackageV2, "get_channel_policy") => &["mediapackagev2:GetChannelPolicy"],
        (MediaPackageV2, "create_origin_endpoint") => &[
            "mediapackagev2:CreateOriginEndpoint",
            "mediapackagev2:TagResource",
        ],
        (MediaPackageV2, "get_origin_endpoint") => &["mediapackagev2:GetOriginEndpoint"],
        (MediaPackageV2, "update_origin_endpoint") => &["mediapackagev2:UpdateOriginEndpoint"],
        (MediaPackageV2, "delete_origin_endpoint") => &["mediapackagev2:DeleteOriginEndpoint"],
        (MediaPackageV2, "list_origin_endpoints") => &["mediapackagev2:ListOriginEndpoints"],
        (MediaPackageV2, "put_origin_endpoint_policy") => {
            &["mediapackagev2:PutOriginEndpointPolicy"]
        }
        (MediaPackageV2, "get_origin_endpoint_policy") => {
            &["mediapackagev2:GetOriginEndpointPolicy"]
        }
        (MediaPackageVod, "create_packaging_group") => &[
            "mediapackage-vod:CreatePackagingGroup",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_packaging_group") => {
            &["mediapackage-vod:DescribePackagingGroup"]
        }
        (MediaPackageVod, "delete_packaging_group") => &["mediapackage-vod:DeletePackagingGroup"],
        (MediaPackageVod, "create_packaging_configuration") => &[
            "mediapackage-vod:CreatePackagingConfiguration",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_packaging_configuration") => {
            &["mediapackage-vod:DescribePackagingConfiguration"]
        }
        (MediaPackageVod, "delete_packaging_configuration") => {
            &["mediapackage-vod:DeletePackagingConfiguration"]
        }
        (MediaPackageVod, "create_asset") => &[
            "mediapackage-vod:CreateAsset",
            "mediapackage-vod:TagResource",
        ],
        (MediaPackageVod, "describe_asset") => &["mediapackage-vod:DescribeAsset"],
        (MediaPackageVod, "delete_asset") => &["mediapackage-vod:DeleteAsset"],
        (MediaTailor, "put_playback_configuration") => &[
            "mediatailor:PutPlaybackConfiguration",
            "mediatailor:TagResource",
        ],
        (MediaTailor, "get_playback_configuration") => &["mediatailor:GetPlaybackConfiguration"],
        (MediaTailor, "delete_playback_configuration") => {
            &["mediatailor:DeletePlaybackConfiguration"]
        }
        (CloudFront, "create_distribution") => {
            &["cloudfront:CreateDistribution", "cloudfront:TagResource"]
        }
        (CloudFront, "get_distribution") => &["cloudfront:GetDistribution"],
        (CloudFront, "update_distribution") => &["cloudfront:UpdateDistribution"],
        (CloudFront, "delete_distribution") => &["cloudfront:DeleteDistribution"],
        (CloudFront, "list_distributions") => &["cloudfront:ListDistributions"],
        (CloudFront, "find_distribution") => {
            &["cloudfront:ListDistributions", "cloudfront:GetDistribution"]
        }
        (CloudFront, "list_tags") => &["cloudfront:ListTagsForResource"],
        (CloudFront, "create_function") => &["cloudfront:CreateFunction", "cloudfront:TagResource"],
        (CloudFront, "describe_function") => &["cloudfront:DescribeFunction"],
        (CloudFront, "get_function_code") => &["cloudfront:GetFunction"],
        (CloudFront, "update_function") => &["cloudfront:UpdateFunction"],
        (CloudFront, "publish_function") => &["cloudfront:PublishFunction"],
        (CloudFront, "delete_function") => &["cloudfront:DeleteFunction"],
        (CloudFront, "create_key_value_store") => {
            &["cloudfront:CreateKeyValueStore", "cloudfront:TagResource"]
        }
        (CloudFront, "describe_key_value_store") => &["cloudfront:DescribeKeyValueStore"],
        (CloudFront, "delete_key_value_store") => &["cloudfront:DeleteKeyValueStore"],
        (CloudFront, "create_realtime_log_config") => &["cloudfront:CreateRealtimeLogConfig"],
        (CloudFront, "get_realtime_log_config") => &["cloudfront:GetRealtimeLogConfig"],
        (CloudFront, "update_realtime_log_config") => &["cloudfront:UpdateRealtimeLogConfig"],
        (CloudFront, "delete_realtime_log_config") => &["cloudfront:DeleteRealtimeLogConfig"],
        (CloudFront, "list_cache_policies") => &["cloudfront:ListCachePolicies"],
        (CloudFront, "list_origin_request_policies") => &["cloudfront:ListOriginRequestPolicies"],
        (CloudFront, "list_response_headers_policies") => {
            &["cloudfront:ListResponseHeadersPolicies"]
        }
        (CloudFrontKeyValueStore, "describe_store") => {
            &["cloudfront-keyvaluestore:DescribeKeyValueStore"]
        }
        (CloudFrontKeyValueStore, "list_keys") => &["cloudfront-keyvaluestore:ListKeys"],
        (CloudFrontKeyValueStore, "update_keys") => &["cloudfront-keyvaluestore:UpdateKeys"],
        (SecretsManager, "create_secret") => {
            &["secretsmanager:CreateSecret", "secretsmanager:TagResource"]
        }
        (SecretsManager, "describe_secret") => &["secretsmanager:DescribeSecret"],
        (SecretsManager, "get_secret_value") => &["secretsmanager:GetSecretValue"],
        (SecretsManager, "put_secret_value") => &["secretsmanager:PutSecretValue"],
        (SecretsManager, "delete_secret") => &["secretsmanager:DeleteSecret"],
        (Wafv2, "create_regex_pattern_set") => {
            &["wafv2:CreateRegexPatternSet", "wafv2:TagResource"]
        }
        (Wafv2, "get_regex_pattern_set") => &["wafv2:GetRegexPatternSet"],
        (Wafv2, "update_regex_pattern_set") => &["wafv2:UpdateRegexPatternSet"],
        (Wafv2, "delete_regex_pattern_set") => &["wafv2:DeleteRegexPatternSet"],
        (Wafv2, "list_regex_pattern_sets") => &["wafv2:ListRegexPatternSets"],
        (Wafv2, "create_ip_set") => &["wafv2:CreateIPSet", "wafv2:TagResource"],
        (Wafv2, "get_ip_set") => &["wafv2:GetIPSet"],
        (Wafv2, "update_ip_set") => &["wafv2:UpdateIPSet"],
        (Wafv2, "delete_ip_set") => &["wafv2:DeleteIPSet"],
        (Wafv2, "list_ip_sets") => &["wafv2:ListIPSets"],
        (Wafv2, "create_web_acl") => &["wafv2:CreateWebACL", "wafv2:TagResource"],
        (Wafv2, "get_web_acl") => &["wafv2:GetWebACL"],
        (Wafv2, "update_web_acl") => &["wafv2:UpdateWebACL"],
        (Wafv2, "delete_web_acl") => &["wafv2:DeleteWebACL"],
        (Wafv2, "list_web_acls") => &["wafv2:ListWebACLs"],
        (Kinesis, "describe_stream_summary") => &["kinesis:DescribeStreamSummary"],
        (Kinesis, "create_stream") => &["kinesis:CreateStream", "kinesis:AddTagsToStream"],
        (Kinesis, "increase_stream_retention_period") => &["kinesis:IncreaseStreamRetentionPeriod"],
        (Kinesis, "decrease_stream_retention_period") => &["kinesis:DecreaseStreamRetentionPeriod"],
        (Kinesis, "update_shard_count") => &["kinesis:UpdateShardCount"],
        (Kinesis, "delete_stream") => &["kinesis:DeleteStream"],
        // `onair telemetry` reads the records back.
        (Kinesis, "list_shards") => &["kinesis:ListShards"],
        (Kinesis, "get_shard_iterator") => &["kinesis:GetShardIterator"],
        (Kinesis, "get_records") => &["kinesis:GetRecords"],
        (Firehose, "create_delivery_stream") => &[
            "firehose:CreateDeliveryStream",
            "firehose:TagDeliveryStream",
        ],
        (Firehose, "describe_delivery_stream") => &["firehose:DescribeDeliveryStream"],
        (Firehose, "update_destination") => &["firehose:UpdateDestination"],
        (Firehose, "delete_delivery_stream") => &["firehose:DeleteDeliveryStream"],
        (S3, "head_bucket") => &["s3:ListBucket"],
        (S3, "head_object") => &["s3:GetObject"],
        // GetCallerIdentity needs no permission.
        (Sts, "get_caller_identity") => &[],
        _ => return None,
    };
    Some(actions)
}

/// Every operation of the AWS layer, by service.
pub fn operations() -> Vec<(Service, &'static str)> {
    use crate::aws::*;
    let mut all = Vec::new();
    let mut add = |service: Service, ops: &[&'static str]| {
        all.extend(ops.iter().map(|op| (service, *op)));
    };
    add(
        Service::MediaLive,
        <dyn medialive::MediaLiveApi>::OPERATIONS,
    );
    add(
        Service::MediaPackage,
        <dyn mediapackage::MediaPackageApi>::OPERATIONS,
    );
    add(
        Service::MediaPackageVod,
        <dyn mediapackagevod::MediaPackageVodApi>::OPERATIONS,
    );
    add(
        Service::MediaPackageV2,
        <dyn mediapackagev2::MediaPackageV2Api>::OPERATIONS,
    );
    add(
        Service::MediaTailor,
        <dyn mediatailor::MediaTailorApi>::OPERATIONS,
    );
    add(
        Service::CloudFront,
        <dyn cloudfront::CloudFrontApi>::OPERATIONS,
    );
    add(
        Service::CloudFrontKeyValueStore,
        <dyn cloudfront::CloudFrontKvsApi>::OPERATIONS,
    );
    add(
        Service::SecretsManager,
        <dyn secretsmanager::SecretsManagerApi>::OPERATIONS,
    );
    add(Service::Wafv2, <dyn wafv2::WafApi>::OPERATIONS);
    add(Service::Kinesis, <dyn kinesis::KinesisApi>::OPERATIONS);
    add(Service::Firehose, <dyn firehose::FirehoseApi>::OPERATIONS);
    add(Service::S3, <dyn s3::S3Api>::OPERATIONS);
    add(Service::Sts, <dyn sts::StsApi>::OPERATIONS);
    all
}
