namespace Gateway.Registry.Credentials;

/// <summary>A user name and password taken from an HTTP Basic <c>Authorization</c> header.</summary>
/// <param name="UserName">The user name, exactly as sent (htpasswd names are case-sensitive).</param>
/// <param name="Password">The password; it never prints.</param>
public sealed record BasicCredentials(string UserName, Secret Password);
