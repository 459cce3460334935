namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>The registry's <c>auth.token</c> section.</summary>
public sealed record RegistryTokenAuth(string Realm, string Service, string Issuer, string RootCertBundle);
