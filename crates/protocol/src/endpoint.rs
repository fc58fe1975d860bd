//! The Actual server endpoints that the client and the gateway use: one table, so
//! that a path is written once and what each side must know about it (may it be
//! retried, how large its reply may be, may an API token reach it) sits beside it.

/// The HTTP methods the table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// What an API token may do with an endpoint (through the gateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAccess {
    /// Refused with 403 `forbidden-auth-method`.
    Denied,
    /// Allowed, subject to the token's budgets.
    Read,
    /// Allowed, subject to the token's budgets, unless the token is read-only.
    Write,
}

/// How large a successful reply may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplySize {
    /// A JSON envelope: small.
    Json,
    /// A budget file or a sync reply: up to a budget's size.
    Budget,
}

impl ReplySize {
    pub fn limit(self) -> usize {
        match self {
            // A reply past this is hostile or broken.
            ReplySize::Json => 32 * 1024 * 1024,
            // Upstream refuses to unzip more than 500 MB.
            ReplySize::Budget => 512 * 1024 * 1024,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// Relative to the server URL, without a leading slash (`account/login`), so that
    /// joining it keeps a path prefix such as `https://host/actual/`.
    pub path: &'static str,
    /// Safe to send again after a failed connection or a 502/503/504.
    pub idempotent: bool,
    pub reply: ReplySize,
    pub token: TokenAccess,
}

const fn get(path: &'static str, reply: ReplySize, token: TokenAccess) -> Endpoint {
    Endpoint {
        method: Method::Get,
        path,
        idempotent: true,
        reply,
        token,
    }
}

const fn post(path: &'static str, reply: ReplySize, token: TokenAccess) -> Endpoint {
    Endpoint {
        method: Method::Post,
        path,
        idempotent: false,
        reply,
        token,
    }
}

use ReplySize::{Budget, Json};
use TokenAccess::{Denied, Read, Write};

/// `{loginMethod, password}` -> `{token}`.
pub const LOGIN: Endpoint = post("account/login", Json, Denied);
/// The session's user: `{userName, userId, permission, loginMethod, ...}`.
pub const VALIDATE: Endpoint = get("account/validate", Json, Read);
pub const LIST_FILES: Endpoint = get("sync/list-user-files", Json, Read);
/// Header `X-ACTUAL-FILE-ID`.
pub const FILE_INFO: Endpoint = get("sync/get-user-file-info", Json, Read);
/// Header `X-ACTUAL-FILE-ID`; raw bytes.
pub const DOWNLOAD: Endpoint = get("sync/download-user-file", Budget, Read);
/// `{fileId}` -> `{id, salt, test}`.
pub const USER_GET_KEY: Endpoint = post("sync/user-get-key", Json, Read);
/// Protobuf both ways; the file id is inside the body. Read for a token: a read-only
/// token may sync as long as it sends no messages (the gateway checks the body).
pub const SYNC: Endpoint = post("sync/sync", Budget, Read);
pub const UPLOAD: Endpoint = post("sync/upload-user-file", Json, Write);
/// The server's version: `{build: {version}}`.
pub const INFO: Endpoint = get("info", Json, Denied);
/// SimpleFIN's transactions through the server (`{accountId, startDate}`, each a
/// string or both arrays): bank data, not a budget's, so no API token reaches it.
pub const SIMPLEFIN_TRANSACTIONS: Endpoint = post("simplefin/transactions", Json, Denied);
/// Pluggy.ai's transactions of one account (`{accountId, startDate}`, header
/// `X-ACTUAL-FILE-ID` for per-budget credentials).
pub const PLUGGYAI_TRANSACTIONS: Endpoint = post("pluggyai/transactions", Json, Denied);
/// GoCardless's transactions of one account (`{requisitionId, accountId, startDate,
/// includeBalance}`).
pub const GOCARDLESS_TRANSACTIONS: Endpoint = post("gocardless/transactions", Json, Denied);
/// Enable Banking's transactions of one account (`{accountId, startDate}`).
pub const ENABLEBANKING_TRANSACTIONS: Endpoint = post("enablebanking/transactions", Json, Denied);
/// Akahu's transactions of one account (`{accountId, startDate}`).
pub const AKAHU_TRANSACTIONS: Endpoint = post("akahu/transactions", Json, Denied);

/// Every endpoint above.
pub const ALL: [&Endpoint; 14] = [
    &LOGIN,
    &VALIDATE,
    &LIST_FILES,
    &FILE_INFO,
    &DOWNLOAD,
    &USER_GET_KEY,
    &SYNC,
    &UPLOAD,
    &INFO,
    &SIMPLEFIN_TRANSACTIONS,
    &PLUGGYAI_TRANSACTIONS,
    &GOCARDLESS_TRANSACTIONS,
    &ENABLEBANKING_TRANSACTIONS,
    &AKAHU_TRANSACTIONS,
];

/// The header that carries a session (or, through the gateway, an API token).
pub const TOKEN_HEADER: &str = "x-actual-token";
/// The header naming the cloud file of a file request.
pub const FILE_ID_HEADER: &str = "x-actual-file-id";
pub const GROUP_ID_HEADER: &str = "x-actual-group-id";

impl Endpoint {
    /// Whether a request line names this endpoint, the way upstream's express router
    /// matches: case-insensitive, one trailing slash allowed, HEAD as GET. `path` is
    /// the request path without query, with its leading slash.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method {
            Method::Get => method == "GET" || method == "HEAD",
            Method::Post => method == "POST",
        };
        let p = path.strip_prefix('/').unwrap_or("\0");
        let p = p.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(p);
        method_ok && p.eq_ignore_ascii_case(self.path)
    }

    /// The endpoint of a request line, if it is one of the table's.
    pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
        ALL.into_iter().find(|e| e.matches(method, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_express() {
        assert_eq!(
            Endpoint::find("GET", "/sync/list-user-files"),
            Some(&LIST_FILES)
        );
        assert_eq!(
            Endpoint::find("GET", "/Sync/List-User-Files/"),
            Some(&LIST_FILES)
        );
        assert_eq!(
            Endpoint::find("HEAD", "/sync/download-user-file"),
            Some(&DOWNLOAD)
        );
        assert_eq!(Endpoint::find("POST", "/sync/sync"), Some(&SYNC));
        for (m, p) in [
            ("GET", "/sync/sync"),
            ("POST", "/sync/list-user-files"),
            ("GET", "//sync/list-user-files"),
            ("GET", "/sync/list-user-files//"),
            ("GET", "/sync/./list-user-files"),
            ("GET", "/sync/%6cist-user-files"),
            ("GET", "sync/list-user-files"),
            ("GET", "/"),
            ("GET", ""),
        ] {
            assert_eq!(Endpoint::find(m, p), None, "{m} {p}");
        }
    }

    #[test]
    fn only_gets_are_retried_and_paths_are_unique() {
        for e in ALL {
            assert_eq!(e.idempotent, e.method == Method::Get, "{}", e.path);
            assert!(!e.path.starts_with('/'));
            assert_eq!(ALL.iter().filter(|o| o.path == e.path).count(), 1);
        }
    }
}
