//! An encrypted budget's key: its parameters from the server, the password checked
//! against the key test, the key id remembered for `getBudgets()`' `hasKey`.

use reqwest::header::CONTENT_TYPE;

use super::{blocking, Session};
use crate::error::{Reply, Result, SessionError};
use actual_protocol::crypto::{BudgetKey, KeyTest};
use actual_protocol::endpoint;
use actual_protocol::files::UserKey;

fn key_failed(reply: Reply) -> SessionError {
    SessionError::Download {
        code: "download-failure",
        message: "the server did not send the budget's encryption key".into(),
        reply,
    }
}

impl Session {
    /// Fetches the file's key parameters and checks the password against the key test.
    pub(super) async fn budget_key(&self, file_id: &str, password: &str) -> Result<BudgetKey> {
        let http = self.http()?;
        let body = serde_json::json!({ "fileId": file_id });
        let rb = http
            .request(&endpoint::USER_GET_KEY, Some(&self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        let key: UserKey = http.send_json(rb, self.method, key_failed).await?;
        let key_id = key.id.clone();
        let test = key.test.ok_or_else(|| {
            SessionError::download(
                "old-key-style",
                "the budget uses an old key style this client cannot open",
            )
        })?;
        let test = KeyTest::parse(&test)?;
        let password = password.to_string();
        // PBKDF2 is CPU work: keep it off the async threads.
        let derived = blocking("checking the encryption password", move || {
            let key = BudgetKey::derive(&password, &key.salt);
            Ok(test.accepts(&key).map(|ok| ok.then_some(key))?)
        })
        .await?;
        let derived = derived.ok_or(SessionError::DecryptFailure)?;
        if let Some(id) = key_id {
            self.loaded_keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
        }
        Ok(derived)
    }
}
