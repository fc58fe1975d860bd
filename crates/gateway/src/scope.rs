//! Which upstream endpoints an API token may reach. Everything not listed here is
//! refused (403 `forbidden-auth-method`): admin, secrets, bank sync, account
//! management, the token API itself.

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

impl Route {
    /// Routes that may change a budget.
    pub fn writes(self) -> bool {
        matches!(self, Route::Upload)
    }
}

/// Classifies a request path (without query). Matching follows upstream's express
/// routing, which ignores case and one trailing slash; anything else is refused.
pub fn classify(method: &Method, path: &str) -> Route {
    let p = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let p = p.to_ascii_lowercase();
    let get = method == Method::GET || method == Method::HEAD;
    let post = method == Method::POST;
    match (p.as_str(), get, post) {
        ("/account/validate", true, _) => Route::Validate,
        ("/sync/list-user-files", true, _) => Route::ListFiles,
        ("/sync/get-user-file-info", true, _) => Route::FileInfo,
        ("/sync/download-user-file", true, _) => Route::Download,
        ("/sync/user-get-key", _, true) => Route::GetKey,
        ("/sync/sync", _, true) => Route::Sync,
        ("/sync/upload-user-file", _, true) => Route::Upload,
        _ => Route::Forbidden,
    }
}

/// A token's reach: its budgets (sync ids) and whether it may write.
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
