namespace Gateway.Edge.Access;

/// <summary>An identity provider added with <see cref="AccessServiceCollectionExtensions.AddIdentityProvider{TProvider}"/>: its name and type.</summary>
/// <param name="Name">The name in <c>Gateway:Auth:Providers</c>.</param>
/// <param name="Type">The provider's type.</param>
public sealed record IdentityProviderRegistration(string Name, Type Type);
