namespace Gateway.Host.Hosting;

/// <summary>A configuration value that stops the process; the message names the key.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
