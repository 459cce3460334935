using Gateway.Registry.Configuration;
using Gateway.Host.Hosting;
using Microsoft.Extensions.Options;

WebApplication? app = null;
const string BinderAssembly = "Microsoft.Extensions.Configuration.Binder";
try
{
    app = GatewayApplication.Build(args);
    await app.RunAsync();
    return 0;
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException inUse && app is not null)
{
    // Kestrel could not bind: name the endpoint's key, as for any other configuration value that stops the start.
    var port = System.Text.RegularExpressions.Regex.Match(ex.Message, @":(\d+)\b") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    await Console.Error.WriteLineAsync($"Configuration error: {PortCheck.EndpointKeyFor(app.Configuration, port)}: {inUse.Message}");
    return 2;
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
catch (InvalidOperationException ex) when (ex.Source == BinderAssembly)
{
    // A value the configuration binder cannot convert (a TimeSpan "abc"): the binder's own message names the key.
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return 2;
}
