//! The one rule for an Actual server's URL, for the client's `serverURL` and the
//! gateway's `--upstream` alike.

use url::Url;

use crate::ProtocolError;

/// Parses a server URL: http(s) only, a trailing slash or path prefix is fine.
/// Credentials inside the URL are refused so that they cannot leak into messages or
/// logs. The result ends in `/`, so that joining an [`Endpoint`](crate::endpoint)
/// path (`account/login`) keeps any prefix.
pub fn parse_server_url(raw: &str) -> Result<Url, ProtocolError> {
    let bad = ProtocolError::InvalidServerUrl;
    let mut url = Url::parse(raw.trim()).map_err(|_| {
        bad("the server URL is not a valid URL; expected something like http://localhost:5006")
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(bad("the server URL must start with http:// or https://"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "the server URL must not contain a user name or password",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("the server URL has no host"));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        assert_eq!(
            parse_server_url("http://localhost:5006").unwrap().as_str(),
            "http://localhost:5006/"
        );
        assert_eq!(
            parse_server_url(" https://example.com/actual?x=1#y ")
                .unwrap()
                .join(crate::endpoint::LOGIN.path)
                .unwrap()
                .as_str(),
            "https://example.com/actual/account/login"
        );
        for bad in [
            "ftp://x",
            "localhost:5006",
            "not a url",
            "http://u:p@host",
            "http://u@host",
        ] {
            let e = parse_server_url(bad).unwrap_err();
            assert_eq!(e.code(), "invalid-server-url", "{bad}");
            assert!(!e.to_string().contains("u:p"));
        }
    }
}
