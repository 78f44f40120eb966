//! Content this process has read and found as desired, by the version (ETag)
//! it had then, so a resync can skip reading it again while the version has
//! not moved.
//!
//! CloudFront has no single read of a function's configuration and code:
//! DescribeFunction answers the configuration and the stage's ETag, the
//! version identifier of what that stage holds; GetFunction answers the code.
//! Any change to LIVE's code gives LIVE a new ETag, so a matching ETag proves
//! the code is what was verified at it, and a settled function costs one read.
//! Forgotten on a restart, which only reads once more.

use std::collections::HashMap;
use std::sync::Mutex;

use ring::digest::{digest, SHA256};

/// Resource key (an ARN) -> (version, SHA-256 of the content verified at it).
#[derive(Default)]
pub struct VerifiedContent(Mutex<HashMap<String, (String, [u8; 32])>>);

fn sha256(content: &str) -> [u8; 32] {
    digest(&SHA256, content.as_bytes())
        .as_ref()
        .try_into()
        .expect("SHA-256 is 32 bytes")
}

impl VerifiedContent {
    /// `key` held `content` when it was last read at `version`. An empty
    /// version (an answer without an ETag) proves nothing.
    pub fn holds(&self, key: &str, version: &str, content: &str) -> bool {
        !version.is_empty()
            && self
                .lock()
                .get(key)
                .is_some_and(|(seen, hash)| seen == version && *hash == sha256(content))
    }

    /// `key` was read at `version` and holds `content`.
    pub fn record(&self, key: &str, version: &str, content: &str) {
        if !version.is_empty() {
            self.lock()
                .insert(key.to_string(), (version.to_string(), sha256(content)));
        }
    }

    /// `key` is gone.
    pub fn forget(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, [u8; 32])>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_the_content_at_the_version_it_was_read() {
        let verified = VerifiedContent::default();
        assert!(!verified.holds("arn:f", "E1", "code"));
        verified.record("arn:f", "E1", "code");
        assert!(verified.holds("arn:f", "E1", "code"));
        assert!(
            !verified.holds("arn:f", "E2", "code"),
            "a new version is read"
        );
        assert!(
            !verified.holds("arn:f", "E1", "other code"),
            "other desired content is read"
        );
        assert!(!verified.holds("arn:g", "E1", "code"));
        verified.forget("arn:f");
        assert!(!verified.holds("arn:f", "E1", "code"));
    }

    #[test]
    fn an_answer_without_a_version_proves_nothing() {
        let verified = VerifiedContent::default();
        verified.record("arn:f", "", "code");
        assert!(!verified.holds("arn:f", "", "code"));
    }
}
