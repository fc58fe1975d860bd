//! `actual-token-gateway`: `serve` and `token create|list|disable|enable|revoke`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::error::{GatewayError, Result};
use crate::issue::{self, NewToken};
use crate::ratelimit::DEFAULT_MAX_FAILURES;
use crate::server::{self, Config};
use crate::store::{Store, TokenRow, DEFAULT_DB};
use crate::time::{iso, now_ms, parse_expiry};
use crate::upstream::{self, Upstream};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:5007";

pub const USAGE: &str = "\
actual-token-gateway: API tokens for an unmodified Actual server

Usage:
  actual-token-gateway serve --upstream URL [--listen 127.0.0.1:5007] [--db PATH]
                             [--trust-proxy] [--max-failed-checks 10]
  actual-token-gateway token create --name NAME --budget SYNC_ID [--budget SYNC_ID ...]
                             [--expires 30d|12h|90s|never] [--read-only]
                             --upstream URL [--db PATH]
  actual-token-gateway token list [--json] [--db PATH]
  actual-token-gateway token disable|enable|revoke ID [--db PATH]

Environment:
  ACTUAL_UPSTREAM_URL     the Actual server (default for --upstream)
  ACTUAL_GATEWAY_LISTEN   address to listen on (default 127.0.0.1:5007)
  ACTUAL_GATEWAY_DB       token database (default ./gateway-data/gateway.sqlite)
  ACTUAL_PASSWORD         server password for `token create` (else prompted)
  ACTUAL_SESSION_TOKEN    a session token to use instead of the password
";

/// Parsed `--key value` options, flags and positional arguments.
#[derive(Debug, Default)]
struct Args {
    values: HashMap<String, Vec<String>>,
    flags: Vec<String>,
    positional: Vec<String>,
}

impl Args {
    fn parse(argv: &[String], value_opts: &[&str], flag_opts: &[&str]) -> Result<Args> {
        let mut out = Args::default();
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            if let Some(opt) = a.strip_prefix("--") {
                let (name, inline) = match opt.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (opt, None),
                };
                if value_opts.contains(&name) {
                    let v = match inline {
                        Some(v) => v,
                        None => it.next().cloned().ok_or_else(|| {
                            GatewayError::Usage(format!("--{name} needs a value"))
                        })?,
                    };
                    out.values.entry(name.to_string()).or_default().push(v);
                } else if flag_opts.contains(&name) && inline.is_none() {
                    out.flags.push(name.to_string());
                } else {
                    return Err(GatewayError::Usage(format!("unknown option --{name}")));
                }
            } else {
                out.positional.push(a.clone());
            }
        }
        Ok(out)
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn or_env(&self, name: &str, env: &str) -> Option<String> {
        self.one(name)
            .map(String::from)
            .or_else(|| std::env::var(env).ok().filter(|v| !v.trim().is_empty()))
    }

    fn db(&self) -> PathBuf {
        PathBuf::from(
            self.or_env("db", "ACTUAL_GATEWAY_DB")
                .unwrap_or_else(|| DEFAULT_DB.to_string()),
        )
    }

    fn upstream(&self) -> Result<url::Url> {
        let u = self.or_env("upstream", "ACTUAL_UPSTREAM_URL").ok_or_else(|| {
            GatewayError::Usage(
                "--upstream URL (or ACTUAL_UPSTREAM_URL) is required: the Actual server to forward to"
                    .into(),
            )
        })?;
        upstream::parse_url(&u)
    }

    fn no_positional(&self) -> Result<()> {
        match self.positional.first() {
            Some(p) => Err(GatewayError::Usage(format!("unexpected argument {p:?}"))),
            None => Ok(()),
        }
    }
}

/// Runs the CLI; returns the process exit code. Errors are printed to stderr.
pub async fn run(argv: Vec<String>) -> i32 {
    match dispatch(&argv).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("actual-token-gateway: {e}");
            if matches!(e, GatewayError::Usage(_)) {
                eprintln!("Run `actual-token-gateway --help` for usage.");
            }
            e.exit_code()
        }
    }
}

async fn dispatch(argv: &[String]) -> Result<()> {
    let (cmd, rest) = match argv.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => {
            eprint!("{USAGE}");
            return Err(GatewayError::Usage("no command given".into()));
        }
    };
    match cmd {
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        "--version" | "-V" => {
            println!("actual-token-gateway {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "serve" => serve(rest).await,
        "token" => {
            let (sub, rest) = rest
                .split_first()
                .ok_or_else(|| GatewayError::Usage("token needs a subcommand".into()))?;
            match sub.as_str() {
                "create" => create(rest).await,
                "list" => list(rest).await,
                "disable" => change(rest, Change::Disable).await,
                "enable" => change(rest, Change::Enable).await,
                "revoke" | "delete" => change(rest, Change::Revoke).await,
                other => Err(GatewayError::Usage(format!(
                    "unknown token subcommand {other:?}"
                ))),
            }
        }
        other => Err(GatewayError::Usage(format!("unknown command {other:?}"))),
    }
}

async fn serve(argv: &[String]) -> Result<()> {
    let args = Args::parse(
        argv,
        &["upstream", "listen", "db", "max-failed-checks"],
        &["trust-proxy"],
    )?;
    args.no_positional()?;
    let max_failures = match args.or_env("max-failed-checks", "ACTUAL_GATEWAY_MAX_FAILED_CHECKS") {
        Some(v) => v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            GatewayError::Usage("--max-failed-checks takes a positive number".into())
        })?,
        None => DEFAULT_MAX_FAILURES,
    };
    let config = Config {
        listen: args
            .or_env("listen", "ACTUAL_GATEWAY_LISTEN")
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
        upstream: args.upstream()?,
        db: args.db(),
        trust_proxy: args.flag("trust-proxy")
            || std::env::var("ACTUAL_GATEWAY_TRUST_PROXY").is_ok_and(|v| v == "1" || v == "true"),
        max_failures,
    };
    let result = server::serve(config, crate::shutdown_requested(), |addr| {
        println!("actual-token-gateway: Listening on {addr}");
        let _ = std::io::stdout().flush();
    })
    .await;
    crate::reset_shutdown();
    result
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| GatewayError::Config("a background task failed".into()))?
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("ACTUAL_PASSWORD") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(GatewayError::Usage(
            "set ACTUAL_PASSWORD (the Actual server password), or run on a terminal to be asked"
                .into(),
        ));
    }
    rpassword::prompt_password("Actual server password: ")
        .map_err(|e| GatewayError::io("cannot read the password", e))
}

async fn create(argv: &[String]) -> Result<()> {
    let args = Args::parse(
        argv,
        &["name", "budget", "expires", "upstream", "db"],
        &["read-only"],
    )?;
    args.no_positional()?;
    let name = issue::check_name(
        args.one("name")
            .ok_or_else(|| GatewayError::Usage("--name NAME is required".into()))?,
    )?;
    let wanted = args.all("budget");
    if wanted.is_empty() {
        return Err(GatewayError::Usage(
            "at least one --budget SYNC_ID is required (Settings > Advanced > Sync ID)".into(),
        ));
    }
    let lifetime =
        parse_expiry(args.one("expires").unwrap_or("never")).map_err(GatewayError::Usage)?;
    let upstream = Upstream::new(&args.upstream()?)?;
    let db = args.db();

    let session = match std::env::var("ACTUAL_SESSION_TOKEN")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(s) => s,
        None => {
            let password = blocking(read_password).await?;
            upstream
                .login(&password)
                .await
                .map_err(|f| f.into_error())?
        }
    };
    let user = upstream
        .validate(&session)
        .await
        .map_err(|f| f.into_error())?;
    let files = upstream
        .list_files(&session)
        .await
        .map_err(|f| f.into_error())?;
    let budgets = upstream::resolve_budgets(&files, &wanted)?;
    let read_only = args.flag("read-only");

    let now = now_ms();
    let new = NewToken {
        name,
        budgets,
        read_only,
        expires_at: lifetime.map(|ms| now + ms),
        owner: crate::api::owner_of(&user),
    };
    let (row, secret) = issue::issue(new, &session, now)?;
    let stored = row.clone();
    blocking(move || Store::open(&db)?.insert(&stored)).await?;
    println!(
        "Created API token {:?} (id {}, prefix {}) for budget(s) {}; {}, expires {}.",
        row.name,
        row.id,
        row.prefix,
        row.budgets.join(", "),
        access(&row),
        row.expires_at.map(iso).unwrap_or_else(|| "never".into())
    );
    println!("Copy it now: it is not shown again.");
    println!("{secret}");
    let _ = std::io::stdout().flush();
    Ok(())
}

fn access(row: &TokenRow) -> &'static str {
    if row.read_only {
        "read-only"
    } else {
        "read-write"
    }
}

fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

async fn list(argv: &[String]) -> Result<()> {
    let args = Args::parse(argv, &["db"], &["json"])?;
    args.no_positional()?;
    let db = args.db();
    let rows = blocking(move || Store::open(&db)?.list()).await?;
    if args.flag("json") {
        let v: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "name": r.name,
                    "prefix": r.prefix,
                    "budgets": r.budgets,
                    "createdAt": secs(r.created_at),
                    "lastUsedAt": r.last_used_at.map(secs),
                    "expiresAt": r.expires_at.map(secs),
                    "enabled": r.enabled,
                    "access": access(r),
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(v));
        return Ok(());
    }
    if rows.is_empty() {
        println!("No tokens.");
        return Ok(());
    }
    let now = now_ms();
    println!(
        "{:<36}  {:<12}  {:<20}  {:<10}  {:<10}  {:<20}  {:<20}  {:<20}  BUDGETS",
        "ID", "PREFIX", "NAME", "STATE", "ACCESS", "CREATED", "LAST USED", "EXPIRES"
    );
    for r in rows {
        let state = if r.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else if r.enabled {
            "enabled"
        } else {
            "disabled"
        };
        println!(
            "{:<36}  {:<12}  {:<20}  {:<10}  {:<10}  {:<20}  {:<20}  {:<20}  {}",
            r.id,
            r.prefix,
            r.name,
            state,
            access(&r),
            iso(r.created_at),
            r.last_used_at.map(iso).unwrap_or_else(|| "never".into()),
            r.expires_at.map(iso).unwrap_or_else(|| "never".into()),
            r.budgets.join(",")
        );
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Change {
    Disable,
    Enable,
    Revoke,
}

async fn change(argv: &[String], what: Change) -> Result<()> {
    let args = Args::parse(argv, &["db"], &[])?;
    let [id] = args.positional.as_slice() else {
        return Err(GatewayError::Usage(
            "give exactly one token id (or prefix)".into(),
        ));
    };
    let id = id.clone();
    let db = args.db();
    let (id, prefix) = blocking(move || {
        let store = Store::open(&db)?;
        let id = store.resolve(&id)?;
        let prefix = store.get(&id)?.map(|r| r.prefix).unwrap_or_default();
        let done = match what {
            Change::Disable => store.set_enabled(&id, false)?,
            Change::Enable => store.set_enabled(&id, true)?,
            Change::Revoke => store.delete(&id)?,
        };
        if done {
            Ok((id, prefix))
        } else {
            Err(GatewayError::TokenNotFound(id))
        }
    })
    .await?;
    let verb = match what {
        Change::Disable => "disabled",
        Change::Enable => "enabled",
        Change::Revoke => "revoked",
    };
    println!("Token {id} ({prefix}) {verb}.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_options() {
        let a = Args::parse(
            &v(&[
                "--name",
                "ci",
                "--budget=a",
                "--budget",
                "b",
                "--read-only",
                "x",
            ]),
            &["name", "budget"],
            &["read-only"],
        )
        .unwrap();
        assert_eq!(a.one("name"), Some("ci"));
        assert_eq!(a.all("budget"), v(&["a", "b"]));
        assert!(a.flag("read-only"));
        assert_eq!(a.positional, v(&["x"]));
        assert!(Args::parse(&v(&["--nope"]), &[], &[]).is_err());
        assert!(Args::parse(&v(&["--name"]), &["name"], &[]).is_err());
    }

    #[tokio::test]
    async fn usage_errors_exit_2() {
        assert_eq!(run(v(&[])).await, 2);
        assert_eq!(run(v(&["frobnicate"])).await, 2);
        assert_eq!(run(v(&["token", "create", "--name", "x"])).await, 2);
        assert_eq!(run(v(&["--help"])).await, 0);
    }
}
