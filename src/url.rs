//! The pieces of URLs that several layers read (a playback URL's host names
//! the distribution in plans, in token policies and in status). A leaf: it
//! imports nothing of onair.

/// The host of a URL (`https://host/path` -> `host`).
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_host_is_what_stands_between_the_scheme_and_the_path() {
        for (url, host) in [
            (
                "https://abc.example.com/out/v1/x/index.m3u8",
                Some("abc.example.com"),
            ),
            ("abc.example.com/x", Some("abc.example.com")),
            ("https://h.example?x=1", Some("h.example")),
            ("https:///path", None),
            ("", None),
        ] {
            assert_eq!(super::host_of(url), host, "{url}");
        }
    }
}
