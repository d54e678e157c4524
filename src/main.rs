//! The `pgtenant` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use pgtenant::config::{Config, LogFormat};
use pgtenant::server::Server;
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "pgtenant",
    version,
    about = "PostgreSQL wire protocol, one SQLite database per tenant"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Configuration file (TOML). Without one, built-in defaults apply.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Address to listen on (overrides the config).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Data folder (overrides the config).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Log filter, e.g. `info` or `pgtenant=debug` (overrides the config).
        #[arg(long, env = "PGTENANT_LOG")]
        log_level: Option<String>,
        /// Validate the configuration (files, patterns, TLS) and exit: 0 if usable, 1 if not.
        #[arg(long)]
        check_config: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let Command::Serve {
        config,
        listen,
        data,
        log_level,
        check_config,
    } = cli.command;
    let config_path = config.or_else(|| {
        let default = PathBuf::from("config/pgtenant.toml");
        default.exists().then_some(default)
    });
    let mut config = match Config::load(config_path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pgtenant: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(l) = listen {
        config.listen = l;
    }
    if let Some(d) = data {
        config.data_dir = d;
    }
    if let Some(l) = log_level {
        config.log_level = l;
    }
    if check_config {
        let shown = config_path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "built-in defaults".to_owned());
        return match pgtenant::server::check::check(&config) {
            Ok(warnings) => {
                for w in warnings {
                    eprintln!("pgtenant: warning: {w}");
                }
                println!("pgtenant: configuration OK ({shown})");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("pgtenant: invalid configuration ({shown}): {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match config.log_format {
        // One JSON object per line, fields flattened, for log shippers.
        LogFormat::Json => logs.json().flatten_event(true).init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }

    // Under a file-size limit (RLIMIT_FSIZE) a write past it raises SIGXFSZ,
    // whose default action kills the process and every tenant's sessions.
    // Ignored, the write fails with EFBIG instead: SQLite rolls the statement
    // back and the writer gets 53100 while everyone else carries on.
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.async_workers())
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let listen = config.listen;
    let data_dir = config.data_dir.clone();
    let server = Server::new(config).map_err(|e| format!("cannot start: {e}"))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    // The bound address, so `--listen 127.0.0.1:0` reports the port it got.
    let listen = listener.local_addr().unwrap_or(listen);
    tracing::info!(%listen, data = %data_dir.display(), "pgtenant ready");
    server
        .serve(listener, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("pgtenant stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    tracing::info!("shutdown requested");
}
