//! Values that must never reach a log, an event or an error message: MediaPackage
//! ingest passwords, Secrets Manager values (the CDN identifier of origin
//! protection). Their `Debug` prints `<redacted>` and they have no `Display`, so a
//! `{:?}` of any request or answer that holds one is safe.

use std::cell::Cell;
use std::fmt;

/// A secret string. Read it with [`SecretString::expose`], only where it is sent.
/// It serializes as `<redacted>`, except inside [`exposed_on_wire`].
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

thread_local! {
    static ON_WIRE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a serialization) with secrets written as they are: only for a
/// request or answer on its way to or from the AWS simulation in another
/// process (`aws::remote`). Everywhere else a serialized secret reads
/// `<redacted>`. Serialization is synchronous, so a thread-local flag cannot
/// leak into other work.
pub fn exposed_on_wire<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            ON_WIRE.with(|on| on.set(self.0));
        }
    }
    let _reset = Reset(ON_WIRE.with(|on| on.replace(true)));
    f()
}

/// What a serializer writes for a secret value: `<redacted>` but on the wire.
pub fn shown(value: &str) -> &str {
    if ON_WIRE.with(Cell::get) {
        value
    } else {
        "<redacted>"
    }
}

impl serde::Serialize for SecretString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(shown(&self.0))
    }
}

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself: only to hand it to AWS or to the component that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for SecretString {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = SecretString::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn serialized_only_on_the_wire() {
        let s = SecretString::new("hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        let wire = exposed_on_wire(|| serde_json::to_string(&s).unwrap());
        assert_eq!(wire, "\"hunter2\"");
        // The flag ends with the call.
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        let back: SecretString = serde_json::from_str(&wire).unwrap();
        assert_eq!(back.expose(), "hunter2");
    }
}
