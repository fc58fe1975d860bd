//! `actual-token-gateway`: `serve`, `login`, `token create|list|disable|enable|revoke`
//! and `key rotate|forget-sessions`, parsed by clap. The same [`run`] serves the npm
//! package's launcher and the standalone executable.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::error::{GatewayError, Result};
use crate::keys::KeySource;
use crate::manage::{self, Change, CreateRequest};
use crate::ratelimit::DEFAULT_MAX_FAILURES;
use crate::registry::Session;
use crate::serve;
use crate::sessions;
use crate::store::{blocking, Store, TokenRow, DEFAULT_DB};
use crate::time::{iso, now_ms, parse_expiry};
use crate::upstream::{self, owner_of, Upstream};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:5007";

#[derive(Parser, Debug)]
#[command(
    name = "actual-token-gateway",
    version,
    about = "API tokens for an unmodified Actual server",
    after_help = "Docs: docs/gateway.md (token page at /gateway/tokens once `serve` runs)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the gateway in front of the Actual server.
    Serve(ServeArgs),
    /// Give the gateway a fresh session for its owner (the password from the terminal
    /// or ACTUAL_PASSWORD, or ACTUAL_SESSION_TOKEN): every token of theirs works again.
    Login(SignInArgs),
    /// Create, list, disable, enable or revoke tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the gateway key that seals the stored sessions.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Exit 0 when the gateway at --listen answers GET /gateway/health (for a
    /// container's HEALTHCHECK, which has no curl).
    Health {
        #[arg(long, env = "ACTUAL_GATEWAY_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
    },
}

#[derive(Args, Debug)]
struct DbArgs {
    /// The token database.
    #[arg(long, env = "ACTUAL_GATEWAY_DB", default_value = DEFAULT_DB)]
    db: PathBuf,
}

#[derive(Args, Debug)]
struct KeyArgs {
    /// The gateway key file (default: gateway.key beside the database); the
    /// ACTUAL_GATEWAY_KEY variable (base64) takes its place when set.
    #[arg(long, env = "ACTUAL_GATEWAY_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// The Actual server to forward to.
    #[arg(long, env = "ACTUAL_UPSTREAM_URL")]
    upstream: String,
    /// Address to listen on (port 0 picks a free one and prints it).
    #[arg(long, env = "ACTUAL_GATEWAY_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: String,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// Behind a reverse proxy: the client address is the last X-Forwarded-For entry and
    /// X-Forwarded-Proto: https marks the page's cookie Secure.
    #[arg(long, env = "ACTUAL_GATEWAY_TRUST_PROXY")]
    trust_proxy: bool,
    /// Always mark the token page's cookie Secure (the page is reached over https).
    #[arg(long, env = "ACTUAL_GATEWAY_SECURE_COOKIE")]
    secure_cookie: bool,
    /// Failed token checks or sign-ins per minute per client address before 429.
    #[arg(long, env = "ACTUAL_GATEWAY_MAX_FAILED_CHECKS", default_value_t = DEFAULT_MAX_FAILURES,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_failed_checks: u32,
}

#[derive(Args, Debug)]
struct SignInArgs {
    /// The Actual server.
    #[arg(long, env = "ACTUAL_UPSTREAM_URL")]
    upstream: String,
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create a token (signs in upstream like `login`); prints it once, on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// A sync id (Settings > Advanced > Sync ID); repeat for several budgets.
        #[arg(long = "budget", value_name = "SYNC_ID", required = true)]
        budgets: Vec<String>,
        /// 90s, 15m, 12h, 30d, 2w or never.
        #[arg(long, default_value = "never")]
        expires: String,
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        sign_in: SignInArgs,
    },
    /// List tokens.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable a token (by id or prefix); `enable` undoes it.
    Disable(ChangeArgs),
    Enable(ChangeArgs),
    /// Delete a token for good.
    #[command(alias = "delete")]
    Revoke(ChangeArgs),
}

#[derive(Args, Debug)]
struct ChangeArgs {
    /// The token's id or display prefix.
    id: String,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Seal every stored session under a new key (and replace the key file, or print
    /// the new ACTUAL_GATEWAY_KEY value).
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// After losing the key: drop the stored sessions and adopt the key there is now;
    /// tokens stay, their owners run `login` again.
    ForgetSessions {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
}

/// Options given twice take the last value (as a script that appends `--listen` to
/// a default set expects), on every subcommand.
fn last_wins(c: clap::Command) -> clap::Command {
    c.args_override_self(true).mut_subcommands(last_wins)
}

fn parse(argv: Vec<String>) -> Result<Cli, clap::Error> {
    let matches = last_wins(Cli::command())
        .try_get_matches_from(std::iter::once("actual-token-gateway".into()).chain(argv))?;
    Cli::from_arg_matches(&matches)
}

/// Runs the CLI on `argv` (without the program name); returns the process exit code.
/// Errors are printed to stderr.
pub async fn run(argv: Vec<String>) -> i32 {
    let cli = match parse(argv) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(cli.command).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("actual-token-gateway: {e}");
            e.exit_code()
        }
    }
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Login(args) => login(args).await,
        Command::Token(TokenCommand::Create {
            name,
            budgets,
            expires,
            read_only,
            sign_in,
        }) => {
            let lifetime = parse_expiry(&expires).map_err(GatewayError::Usage)?;
            create(name, budgets, lifetime, read_only, sign_in).await
        }
        Command::Token(TokenCommand::List { json, db }) => list(db.db, json).await,
        Command::Token(TokenCommand::Disable(a)) => change(a, Change::Disable).await,
        Command::Token(TokenCommand::Enable(a)) => change(a, Change::Enable).await,
        Command::Token(TokenCommand::Revoke(a)) => change(a, Change::Revoke).await,
        Command::Key(KeyCommand::Rotate { db, key }) => rotate(db.db, key).await,
        Command::Key(KeyCommand::ForgetSessions { db, key }) => forget(db.db, key).await,
        Command::Health { listen } => health(&listen).await,
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let db = args.db.db;
    let config = serve::Config {
        listen: args.listen,
        upstream: upstream::parse_url(&args.upstream)?,
        key: KeySource::resolve(args.key.key_file, &db),
        db,
        trust_proxy: args.trust_proxy,
        secure_cookie: args.secure_cookie,
        max_failures: args.max_failed_checks,
    };
    let result = serve::serve(config, crate::shutdown_requested(), |addr| {
        println!("actual-token-gateway: Listening on {addr}");
        let _ = std::io::stdout().flush();
    })
    .await;
    crate::reset_shutdown();
    result
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("ACTUAL_PASSWORD") {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(GatewayError::Usage(
            "set ACTUAL_PASSWORD (the Actual server password) or ACTUAL_SESSION_TOKEN, or run on a terminal to be asked"
                .into(),
        ));
    }
    rpassword::prompt_password("Actual server password: ")
        .map_err(|e| GatewayError::io("cannot read the password", e))
}

/// A live upstream session for the owner: `ACTUAL_SESSION_TOKEN`, or a password login.
/// Returns the upstream client, the session and the owner's user id.
async fn sign_in(args: &SignInArgs) -> Result<(Upstream, Session, String)> {
    let upstream = Upstream::new(&upstream::parse_url(&args.upstream)?)?;
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
    Ok((upstream, Session::new(session), owner_of(&user)))
}

/// Opens the database and the gateway key (created on first use).
async fn open(db: PathBuf, key: KeyArgs) -> Result<(Store, crate::keys::GatewayKey)> {
    blocking(move || {
        let store = Store::open(&db)?;
        let source = KeySource::resolve(key.key_file, &db);
        let key = sessions::open_key(&store, &source, true)?;
        Ok((store, key))
    })
    .await
}

async fn login(args: SignInArgs) -> Result<()> {
    let (_, session, owner) = sign_in(&args).await?;
    let (store, key) = open(args.db.db, args.key).await?;
    let tokens = blocking(move || {
        sessions::save(&store, &key, &owner, session.expose(), now_ms())?;
        Ok(store
            .list()?
            .into_iter()
            .filter(|r| r.owner == owner)
            .count())
    })
    .await?;
    println!("Signed in: the gateway holds a fresh session for this user; their {tokens} token(s) use it now.");
    Ok(())
}

async fn create(
    name: String,
    budgets: Vec<String>,
    lifetime: Option<i64>,
    read_only: bool,
    args: SignInArgs,
) -> Result<()> {
    let (upstream, session, owner) = sign_in(&args).await?;
    let (store, key) = open(args.db.db, args.key).await?;
    let now = now_ms();
    let req = CreateRequest {
        name,
        budgets,
        expires_at: lifetime.map(|ms| now + ms),
        read_only,
    };
    let (row, secret) = manage::create(
        &upstream,
        std::sync::Arc::new(store),
        key,
        session.expose(),
        owner,
        req,
        now,
    )
    .await?;
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

async fn list(db: PathBuf, json: bool) -> Result<()> {
    let rows = blocking(move || Store::open(&db)?.list()).await?;
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "name": r.name,
                    "prefix": r.prefix,
                    "budgets": r.budgets,
                    "createdAt": manage::secs(r.created_at),
                    "lastUsedAt": r.last_used_at.map(manage::secs),
                    "expiresAt": r.expires_at.map(manage::secs),
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

async fn change(args: ChangeArgs, what: Change) -> Result<()> {
    let (db, id) = (args.db.db, args.id);
    let row = blocking(move || {
        let store = Store::open(&db)?;
        let id = store.resolve(&id)?;
        manage::change(&store, &id, None, what)
    })
    .await?;
    println!("Token {} ({}) {}.", row.id, row.prefix, what.verb());
    Ok(())
}

async fn rotate(db: PathBuf, key: KeyArgs) -> Result<()> {
    let source = KeySource::resolve(key.key_file, &db);
    let (source2, (new, moved)) = (
        source.clone(),
        blocking(move || sessions::rotate(&Store::open(&db)?, &source)).await?,
    );
    match source2 {
        KeySource::File(path) => println!(
            "Rotated the gateway key in {}: {moved} session(s) sealed under the new key. Back up the new file.",
            path.display()
        ),
        KeySource::Env => {
            println!("Rotated the gateway key: {moved} session(s) sealed under the new key.");
            println!("Set ACTUAL_GATEWAY_KEY to the value below and restart the gateway; it is not shown again.");
            println!("{}", new.to_text());
        }
    }
    Ok(())
}

async fn forget(db: PathBuf, key: KeyArgs) -> Result<()> {
    let source = KeySource::resolve(key.key_file, &db);
    let n = blocking(move || sessions::forget(&Store::open(&db)?, &source)).await?;
    println!("Dropped {n} stored session(s); owners run `actual-token-gateway login` to revive their tokens.");
    Ok(())
}

async fn health(listen: &str) -> Result<()> {
    // A wildcard listen address is reached on loopback.
    let addr = listen
        .replacen("0.0.0.0:", "127.0.0.1:", 1)
        .replacen("[::]:", "[::1]:", 1);
    let url = upstream::parse_url(&format!("http://{addr}"))?;
    actual_protocol::transport::install_crypto_provider();
    let network =
        |e: reqwest::Error| GatewayError::Network(actual_protocol::transport::describe(&e));
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .map_err(network)?;
    let res = client
        .get(url.join("gateway/health").expect("static path"))
        .send()
        .await
        .map_err(network)?;
    if !res.status().is_success() {
        return Err(GatewayError::Network(format!(
            "health check answered {}",
            res.status()
        )));
    }
    println!("healthy");
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
        let cli = parse(v(&[
            "token",
            "create",
            "--name",
            "ci",
            "--budget=a",
            "--budget",
            "b",
            "--read-only",
            "--upstream",
            "http://h",
            "--name",
            "cd",
        ]))
        .unwrap();
        match cli.command {
            Command::Token(TokenCommand::Create {
                name,
                budgets,
                read_only,
                ..
            }) => {
                assert_eq!(name, "cd", "the last one wins");
                assert_eq!(budgets, v(&["a", "b"]));
                assert!(read_only);
            }
            c => panic!("{c:?}"),
        }
        assert!(parse(v(&["serve", "--nope"])).is_err());
    }

    #[tokio::test]
    async fn usage_errors_exit_2() {
        assert_eq!(run(v(&[])).await, 2);
        assert_eq!(run(v(&["frobnicate"])).await, 2);
        assert_eq!(
            run(v(&[
                "token",
                "create",
                "--name",
                "x",
                "--upstream",
                "http://h"
            ]))
            .await,
            2
        );
        assert_eq!(run(v(&["--help"])).await, 0);
    }
}
