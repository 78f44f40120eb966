//! The CloudFront Function (cloudfront-js-2.0, viewer request) that checks
//! tokens at the edge: `function.js` with the policy's [`EdgeConfig`] and the
//! key value store id embedded. Signing keys and revoked sessions live in the
//! store, never in the code, so rotating a key or revoking a session does not
//! republish the function.

use serde_json::json;

use super::EdgeConfig;

/// CloudFront's limit on function code.
pub const MAX_FUNCTION_BYTES: usize = 10 * 1024;

const TEMPLATE: &str = include_str!("function.js");

/// The function source for `config`, reading keys from store `store_id`.
pub fn source(config: &EdgeConfig, store_id: &str) -> String {
    let mut embedded = serde_json::to_value(config).expect("the config serializes");
    embedded["storeId"] = json!(store_id);
    embedded["failureDescription"] = json!(match config.failure_status {
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Unauthorized",
    });
    TEMPLATE.replace("__CONFIG__", &embedded.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TokenPolicySpec;

    #[test]
    fn the_function_fits_cloudfronts_size_limit_and_embeds_the_config() {
        let spec: TokenPolicySpec = serde_json::from_value(json!({
            "channelRefs": [{"name": "news"}],
            "signingKeys": {"secretRef": {"name": "keys"}, "activeKeyId": "k1"},
            "token": {"bind": {"clientIp": true, "userAgent": true, "headers": ["x-device-id"]},
                       "pathScopes": ["/out/v1/", "/v1/master/"]},
            "revocation": {"enabled": true}
        }))
        .unwrap();
        let config = EdgeConfig::from_policy(&spec, &[]);
        let code = source(&config, "0123456789abcdef");
        assert!(code.len() < MAX_FUNCTION_BYTES, "{} bytes", code.len());
        assert!(code.contains(r#""storeId":"0123456789abcdef""#));
        assert!(code.contains(r#""requireHeaders":["user-agent","x-device-id"]"#));
        assert!(!code.contains("__CONFIG__"));
    }
}
