//! Serving: accept connections, send each request to the part that answers it (the
//! token page, `/api-tokens`, or the proxy), stop gracefully.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

pub use crate::app::Config;
use crate::app::{log, App};
use crate::error::{GatewayError, Result};
use crate::reply::Body;
use crate::store::{blocking, Store};
use crate::upstream::Upstream;
use crate::{api, page, proxy, sessions};

const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The gateway's own paths, then the server's.
async fn route(app: Arc<App>, req: Request<Incoming>, peer: IpAddr) -> Response<Body> {
    let path = req.uri().path();
    if page::is_page_path(path) {
        let ip = app.client_ip(req.headers(), peer);
        return page::handle(&app, req, ip).await;
    }
    if api::is_token_api(path) {
        let ip = app.client_ip(req.headers(), peer);
        return api::handle(&app, req, ip).await;
    }
    proxy::handle(app, req, peer).await
}

/// Runs the gateway until `shutdown` resolves; `on_ready` gets the bound address.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let upstream = Upstream::new(&config.upstream)?;
    let (db, source) = (config.db.clone(), config.key.clone());
    let (store, key) = blocking(move || {
        let store = Store::open(&db)?;
        let key = sessions::open_key(&store, &source, true)?;
        Ok((store, key))
    })
    .await?;
    let store = Arc::new(store);
    let app = Arc::new(App::new(upstream, store.clone(), key, &config));
    app.reload().await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| GatewayError::io(format!("cannot listen on {}", config.listen), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| GatewayError::io("cannot read the listening address", e))?;
    log(format!(
        "{} token(s) loaded from {}; forwarding to {}",
        app.registry.len(),
        config.db.display(),
        config.upstream.as_str().trim_end_matches('/')
    ));
    on_ready(addr);

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        log(format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let app = app.clone();
                let service = hyper::service::service_fn(move |req| {
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(route(app, req, peer.ip()).await) }
                });
                let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    log("shutting down");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => log("gave up waiting for open requests"),
    }
    // Write every last use still only in memory.
    let uses: Vec<(String, i64)> = app
        .registry
        .entries()
        .iter()
        .filter_map(|e| e.last_used_at().map(|t| (e.row.id.clone(), t)))
        .collect();
    blocking(move || store.touch_many(&uses)).await?;
    log("stopped");
    Ok(())
}
