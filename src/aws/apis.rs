//! Every service trait for one account and region, each behind the shared guard: what
//! a reconciler holds. Built from the SDK in production and from the simulation in
//! tests, the same way, so the guard is never forgotten on either side.

use std::sync::Arc;

#[cfg(feature = "aws-sdk")]
use super::clients::SdkClients;
use super::cloudfront::{CloudFrontApi, CloudFrontKvsApi};
use super::error::{AwsError, ErrorKind};
use super::firehose::FirehoseApi;
use super::guard::Guard;
use super::intercept::{is_read, Call, Intercepted, Interceptor};
use super::kinesis::KinesisApi;
use super::medialive::MediaLiveApi;
use super::mediapackage::MediaPackageApi;
use super::mediapackagev2::MediaPackageV2Api;
use super::mediapackagevod::MediaPackageVodApi;
use super::mediatailor::MediaTailorApi;
use super::s3::S3Api;
#[cfg(feature = "aws-sdk")]
use super::sdk;
use super::secretsmanager::SecretsManagerApi;
use super::sts::StsApi;
use super::wafv2::WafApi;

#[derive(Clone)]
pub struct AwsApis {
    pub medialive: Arc<dyn MediaLiveApi>,
    pub mediatailor: Arc<dyn MediaTailorApi>,
    pub cloudfront: Arc<dyn CloudFrontApi>,
    pub cloudfront_kvs: Arc<dyn CloudFrontKvsApi>,
    pub wafv2: Arc<dyn WafApi>,
    pub mediapackage: Arc<dyn MediaPackageApi>,
    pub secretsmanager: Arc<dyn SecretsManagerApi>,
    pub sts: Arc<dyn StsApi>,
    pub s3: Arc<dyn S3Api>,
    pub kinesis: Arc<dyn KinesisApi>,
    pub firehose: Arc<dyn FirehoseApi>,
    pub mediapackagevod: Arc<dyn MediaPackageVodApi>,
    pub mediapackagev2: Arc<dyn MediaPackageV2Api>,
}

impl AwsApis {
    /// The real services. `guard` comes from the process-wide
    /// [`Limiters`](super::guard::Limiters) for the account and region of `clients`.
    #[cfg(feature = "aws-sdk")]
    pub fn sdk(clients: &SdkClients, guard: Guard) -> Self {
        Self::guarded(
            guard,
            AwsApis {
                medialive: Arc::new(sdk::medialive::SdkMediaLive::new(clients)),
                mediatailor: Arc::new(sdk::mediatailor::SdkMediaTailor::new(clients)),
                cloudfront: Arc::new(sdk::cloudfront::SdkCloudFront::new(clients)),
                cloudfront_kvs: Arc::new(sdk::cloudfront::SdkCloudFrontKvs::new(clients)),
                wafv2: Arc::new(sdk::wafv2::SdkWaf::new(clients)),
                mediapackage: Arc::new(sdk::mediapackage::SdkMediaPackage::new(clients)),
                secretsmanager: Arc::new(sdk::secretsmanager::SdkSecretsManager::new(clients)),
                sts: Arc::new(sdk::sts::SdkSts::new(clients)),
                s3: Arc::new(sdk::s3::SdkS3::new(clients)),
                kinesis: Arc::new(sdk::kinesis::SdkKinesis::new(clients)),
                firehose: Arc::new(sdk::firehose::SdkFirehose::new(clients)),
                mediapackagevod: Arc::new(sdk::mediapackagevod::SdkMediaPackageVod::new(clients)),
                mediapackagev2: Arc::new(sdk::mediapackagev2::SdkMediaPackageV2::new(clients)),
            },
        )
    }

    /// Wraps every service of `raw` in `guard` (the SDK's clients here, the
    /// simulation's in `aws::sim` and `aws::remote`).
    pub fn guarded(guard: Guard, raw: AwsApis) -> Self {
        Self::intercepted(guard, raw)
    }

    /// The same services with only their reads let through (observe-only
    /// objects): a call that could change something is refused before it
    /// leaves onair, so no code path can write by mistake.
    pub fn read_only(&self) -> Self {
        Self::intercepted(ReadOnly, self.clone())
    }

    /// Wraps every service of `raw` in `interceptor`.
    fn intercepted<I: Interceptor + Clone>(guard: I, raw: AwsApis) -> Self {
        Self {
            medialive: Arc::new(Intercepted::new(guard.clone(), raw.medialive)),
            cloudfront: Arc::new(Intercepted::new(guard.clone(), raw.cloudfront)),
            cloudfront_kvs: Arc::new(Intercepted::new(guard.clone(), raw.cloudfront_kvs)),
            wafv2: Arc::new(Intercepted::new(guard.clone(), raw.wafv2)),
            mediapackage: Arc::new(Intercepted::new(guard.clone(), raw.mediapackage)),
            secretsmanager: Arc::new(Intercepted::new(guard.clone(), raw.secretsmanager)),
            sts: Arc::new(Intercepted::new(guard.clone(), raw.sts)),
            s3: Arc::new(Intercepted::new(guard.clone(), raw.s3)),
            kinesis: Arc::new(Intercepted::new(guard.clone(), raw.kinesis)),
            firehose: Arc::new(Intercepted::new(guard.clone(), raw.firehose)),
            mediapackagevod: Arc::new(Intercepted::new(guard.clone(), raw.mediapackagevod)),
            mediapackagev2: Arc::new(Intercepted::new(guard.clone(), raw.mediapackagev2)),
            mediatailor: Arc::new(Intercepted::new(guard, raw.mediatailor)),
        }
    }
}

/// Lets reads through and refuses every other call unsent (see
/// [`AwsApis::read_only`]).
#[derive(Clone, Copy, Debug)]
pub struct ReadOnly;

impl Interceptor for ReadOnly {
    async fn around<'a, T, F, Fut>(&'a self, call: Call, mut f: F) -> Result<T, AwsError>
    where
        T: Send + 'a,
        F: FnMut() -> Fut + Send + 'a,
        Fut: std::future::Future<Output = Result<T, AwsError>> + Send + 'a,
    {
        if is_read(call.operation) {
            return f().await;
        }
        let service = call.service.name();
        Err(AwsError::new(
            service,
            call.operation,
            ErrorKind::Withheld {
                message: format!(
                    "the object is observe-only: onair does not call {service} {} for it; remove the onair.dev/observe-only annotation to let onair change it",
                    call.operation
                ),
            },
        ))
    }
}
