fn main() -> std::process::ExitCode {
    ssoenv::cmd::main()
}
