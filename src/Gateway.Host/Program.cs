using Gateway.Host.Hosting;
using Microsoft.Extensions.Options;

try
{
    var app = GatewayApplication.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ConfigurationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return 2;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error: {string.Join(Environment.NewLine, ex.Failures)}");
    return 2;
}
catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
{
    // Several options sections invalid at once: report them all.
    var failures = ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures);
    await Console.Error.WriteLineAsync($"Configuration error: {string.Join(Environment.NewLine, failures)}");
    return 2;
}
catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("Gateway:", StringComparison.Ordinal))
{
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return 2;
}
