//! The standalone `actual-token-gateway` executable (`cargo build --release -p
//! actual-gateway`): the same CLI as the npm package's, on a tokio runtime of its own.
//! SIGINT/SIGTERM ask a running `serve` to stop gracefully; a second signal exits.

#[tokio::main]
async fn main() {
    tokio::spawn(async {
        stop_signal().await;
        actual_gateway::request_shutdown();
        stop_signal().await;
        std::process::exit(130);
    });
    let code = actual_gateway::cli::run(std::env::args().skip(1).collect()).await;
    std::process::exit(code);
}

#[cfg(unix)]
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[cfg(not(unix))]
async fn stop_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
