using TlsDoctor.Cli;

return await CliApp.RunAsync(args);
