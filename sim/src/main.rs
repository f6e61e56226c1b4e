//! `mde-sim`: parses flags and serves until interrupted, or runs one of the deployment tools
//! (`mde-sim security-headers`, `mde-sim csp-hash`).

use clap::Parser;

// The simulator's flags, or a tool instead of serving.
#[derive(Parser, Debug)]
#[command(name = "mde-sim", about = mde_sim::ABOUT, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    tool: Option<mde_sim::security_headers::Tool>,
    #[command(flatten)]
    serve: mde_sim::Args,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(tool) = cli.tool {
        return tool.run();
    }
    let args = cli.serve;
    let control = args.control;
    match mde_sim::spawn(args).await {
        Ok(running) => {
            let url = running.url();
            println!("mde-sim listening on {url}");
            println!("  app:       {url}/");
            println!("  API:       {url}/api/libraryfiles");
            println!("  authority: {}", running.sim.authority());
            if let Some(examples) = running.examples_url() {
                println!(
                    "  examples:  {examples}/ (a portal on another origin, same site, embedding the panel)"
                );
                if let Some(cross) = running.examples_cross_site_url() {
                    println!("             {cross}/ (the same portal on another site)");
                }
            }
            if control {
                println!("  control:   {url}/_sim (test control surface enabled)");
            }
            let _ = tokio::signal::ctrl_c().await;
            running.stop().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mde-sim: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
