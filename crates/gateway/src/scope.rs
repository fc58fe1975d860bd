//! Which upstream endpoints an API token may reach: those the protocol's endpoint
//! table opens to tokens. Everything else is refused (403 `forbidden-auth-method`):
//! admin, secrets, bank sync, account management, the token API itself.

use actual_protocol::endpoint::{self, Endpoint, TokenAccess};
use hyper::Method;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Validate,
    ListFiles,
    FileInfo,
    Download,
    GetKey,
    Sync,
    Upload,
    Forbidden,
}

/// What the gateway checks for each endpoint a token may reach.
const ROUTES: [(&Endpoint, Route); 7] = [
    (&endpoint::VALIDATE, Route::Validate),
    (&endpoint::LIST_FILES, Route::ListFiles),
    (&endpoint::FILE_INFO, Route::FileInfo),
    (&endpoint::DOWNLOAD, Route::Download),
    (&endpoint::USER_GET_KEY, Route::GetKey),
    (&endpoint::SYNC, Route::Sync),
    (&endpoint::UPLOAD, Route::Upload),
];

impl Route {
    /// Routes that may change a budget.
    pub fn writes(self) -> bool {
        ROUTES
            .iter()
            .any(|(e, r)| *r == self && e.token == TokenAccess::Write)
    }
}

/// Classifies a request path (without query), matching as upstream's express router
/// does (`Endpoint::matches`); anything else is refused.
pub fn classify(method: &Method, path: &str) -> Route {
    ROUTES
        .iter()
        .find(|(e, _)| e.token != TokenAccess::Denied && e.matches(method.as_str(), path))
        .map_or(Route::Forbidden, |(_, r)| *r)
}

/// Whether a budget (sync id) is one of a token's.
pub fn in_scope(budgets: &[String], group_id: &str) -> bool {
    budgets.iter().any(|b| b == group_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_routes() {
        assert_eq!(classify(&Method::GET, "/account/validate"), Route::Validate);
        assert_eq!(
            classify(&Method::GET, "/sync/list-user-files"),
            Route::ListFiles
        );
        assert_eq!(
            classify(&Method::GET, "/Sync/List-User-Files/"),
            Route::ListFiles
        );
        assert_eq!(
            classify(&Method::HEAD, "/sync/download-user-file"),
            Route::Download
        );
        assert_eq!(
            classify(&Method::GET, "/sync/get-user-file-info"),
            Route::FileInfo
        );
        assert_eq!(classify(&Method::POST, "/sync/user-get-key"), Route::GetKey);
        assert_eq!(classify(&Method::POST, "/sync/sync"), Route::Sync);
        assert_eq!(
            classify(&Method::POST, "/sync/upload-user-file"),
            Route::Upload
        );
        assert!(Route::Upload.writes());
        assert!(!Route::Sync.writes());
    }

    #[test]
    fn everything_else_is_forbidden() {
        for (m, p) in [
            (Method::POST, "/account/change-password"),
            (Method::POST, "/account/login"),
            (Method::GET, "/info"),
            (Method::GET, "/admin/users"),
            (Method::POST, "/secret"),
            (Method::POST, "/gocardless/transactions"),
            (Method::POST, "/simplefin/accounts"),
            (Method::GET, "/api-tokens"),
            (Method::POST, "/sync/delete-user-file"),
            (Method::POST, "/sync/update-user-filename"),
            (Method::POST, "/sync/user-create-key"),
            (Method::POST, "/sync/reset-user-file"),
            (Method::POST, "/sync/list-user-files"),
            (Method::GET, "/sync/sync"),
            (Method::GET, "//sync/list-user-files"),
            (Method::GET, "/sync/list-user-files//"),
            (Method::GET, "/sync/./list-user-files"),
            (Method::GET, "/sync/%6cist-user-files"),
            (Method::GET, "/"),
            (Method::GET, ""),
        ] {
            assert_eq!(classify(&m, p), Route::Forbidden, "{m} {p}");
        }
    }

    #[test]
    fn budgets() {
        let b = vec!["g1".to_string(), "g2".to_string()];
        assert!(in_scope(&b, "g2"));
        assert!(!in_scope(&b, "g3"));
        assert!(!in_scope(&b, ""));
        assert!(!in_scope(&[], "g1"));
    }
}
