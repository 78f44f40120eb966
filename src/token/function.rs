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
    minify(TEMPLATE).replace("__CONFIG__", &embedded.to_string())
}

/// What to change when the generated `code` is over CloudFront's limit.
pub fn check_size(code: &str) -> Result<(), String> {
    if code.len() > MAX_FUNCTION_BYTES {
        return Err(format!(
            "the generated function is {} bytes, over CloudFront's {MAX_FUNCTION_BYTES}; use fewer pathScopes or bound headers",
            code.len()
        ));
    }
    Ok(())
}

/// Characters around which whitespace carries no meaning in the template.
const PUNCTUATION: &[u8] = b"{}()[];,:=<>+-*/&|!?";

/// The template without its comment lines, indentation and the spaces next
/// to punctuation, so the function fits CloudFront's 10 KB with room for the
/// config. Only `'...'` and `"..."` strings are tracked (what they hold is
/// kept byte for byte); the template's regular expressions spell quotes as
/// `\x22` and `\x27`, and no line holds a trailing `//` comment.
fn minify(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let bytes = line.as_bytes();
        let mut quote: Option<u8> = None;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) => {
                    if b == b'\\' && i + 1 < bytes.len() {
                        out.push(b as char);
                        i += 1;
                        out.push(bytes[i] as char);
                    } else {
                        if b == q {
                            quote = None;
                        }
                        out.push(b as char);
                    }
                }
                None if b == b'\'' || b == b'"' => {
                    quote = Some(b);
                    out.push(b as char);
                }
                None if b == b' ' => {
                    let before = out.as_bytes().last().copied().unwrap_or(b' ');
                    let after = bytes.get(i + 1).copied().unwrap_or(b' ');
                    if !(PUNCTUATION.contains(&before) || PUNCTUATION.contains(&after)) {
                        out.push(' ');
                    }
                }
                None => out.push(b as char),
            }
            i += 1;
        }
        // A line that ends a statement or opens or closes a block needs no
        // newline after it (the template never leans on semicolon insertion).
        // Imports keep a line of their own, where CloudFront and the harness
        // look for them.
        if !line.ends_with([';', '{', '}', ',']) || line.starts_with("import ") {
            out.push('\n');
        }
    }
    out
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
        assert_eq!(check_size(&code), Ok(()));
        let over = "x".repeat(MAX_FUNCTION_BYTES + 1);
        assert!(check_size(&over).unwrap_err().contains("fewer pathScopes"));
        // Room for the config: 20 scopes, 10 headers, a few channels.
        let bare = minify(TEMPLATE).len();
        assert!(bare < 8 * 1024 + 512, "the template alone is {bare} bytes");
        assert!(code.contains(r#""storeId":"0123456789abcdef""#));
        assert!(code.contains(r#""requireHeaders":["user-agent","x-device-id"]"#));
        assert!(!code.contains("__CONFIG__"));
    }

    #[test]
    fn every_mac_is_compared_in_constant_time() {
        let computed: Vec<&str> = TEMPLATE
            .lines()
            .filter(|l| l.contains("mac(key") && !l.trim_start().starts_with("function mac"))
            .collect();
        assert_eq!(computed.len(), 3, "token, binding and origin pass");
        for line in computed {
            assert!(
                line.contains("same(mac(key"),
                "compared without same(): {line}"
            );
        }
    }

    #[test]
    fn minifying_keeps_strings_and_drops_comments() {
        let code = minify(
            "// note\n  const a = 'x  y' + \"p \\\"  q\";\n  if (a) { return b; }\n  return a\n  f()\n",
        );
        assert_eq!(
            code,
            "const a='x  y'+\"p \\\"  q\";if(a){return b;}return a\nf()\n"
        );
    }
}
