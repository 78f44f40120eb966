//! The managed cache, origin request and response headers policies, as AWS
//! lists them; distributions may name only these.

use crate::aws::cloudfront::{Policy, PolicyOwner};

/// Managed policies as AWS lists them (names and ids from the CloudFront Developer
/// Guide).
pub(super) const MANAGED_CACHE: &[(&str, &str)] = &[
    ("2e54312d-136d-493c-8eb9-b001f22f67d2", "Managed-Amplify"),
    (
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "Managed-CachingDisabled",
    ),
    (
        "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "Managed-CachingOptimized",
    ),
    (
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        "Managed-CachingOptimizedForUncompressedObjects",
    ),
    (
        "08627262-05a9-4f76-9ded-b50ca2e3a84f",
        "Managed-Elemental-MediaPackage",
    ),
    (
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "Managed-UseOriginCacheControlHeaders",
    ),
    (
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
        "Managed-UseOriginCacheControlHeaders-QueryStrings",
    ),
];

pub(super) const MANAGED_ORIGIN_REQUEST: &[(&str, &str)] = &[
    ("216adef6-5c7f-47e4-b989-5492eafa07d3", "Managed-AllViewer"),
    (
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "Managed-AllViewerAndCloudFrontHeaders-2022-06",
    ),
    (
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Managed-AllViewerExceptHostHeader",
    ),
    (
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        "Managed-CORS-CustomOrigin",
    ),
    (
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "Managed-CORS-S3Origin",
    ),
    (
        "775133bc-15f2-49f9-abea-afb2e0bf67d2",
        "Managed-Elemental-MediaTailor-PersonalizedManifests",
    ),
    (
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        "Managed-UserAgentRefererHeaders",
    ),
];

pub(super) const MANAGED_RESPONSE_HEADERS: &[(&str, &str)] = &[
    ("60669652-455b-4ae9-85a4-c4c02393f86c", "Managed-SimpleCORS"),
    (
        "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
        "Managed-CORS-With-Preflight",
    ),
    (
        "67f7725c-6f97-4210-82d7-5512b31e9d03",
        "Managed-SecurityHeadersPolicy",
    ),
    (
        "e61eb60c-9c35-4d20-a928-2b84e02af89c",
        "Managed-CORS-and-SecurityHeadersPolicy",
    ),
    (
        "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
        "Managed-CORS-with-preflight-and-SecurityHeadersPolicy",
    ),
];

pub(super) fn policies(list: &[(&str, &str)], owner: PolicyOwner) -> Vec<Policy> {
    match owner {
        PolicyOwner::Custom => vec![],
        PolicyOwner::Managed => list
            .iter()
            .map(|(id, name)| Policy {
                id: (*id).into(),
                name: (*name).into(),
                comment: String::new(),
            })
            .collect(),
    }
}
