namespace Gateway.Registry.Configuration;

/// <summary>
/// Something a setting names cannot be used at start (a file that does not parse, a key that does not load, a port
/// already taken): the process stops with exit code 2 and this message, which names the key. Invalid option values
/// themselves are reported by the validator beside their options class (<c>IValidateOptions</c>), with the same exit code.
/// </summary>
public sealed class ConfigurationException(string message) : Exception(message);
