using Gateway.Registry.Access;
using Gateway.Registry.Credentials;

namespace Gateway.Edge.TokenServer;

/// <summary>One well-formed token request, as <see cref="TokenRequestReader"/> read it (nothing checked against users yet).</summary>
/// <param name="Grant">How it authenticates.</param>
/// <param name="IsOAuth">True for the OAuth2 <c>POST</c> form (the answer then carries <c>scope</c>).</param>
/// <param name="Service">The <c>service</c> asked for, if any.</param>
/// <param name="Scopes">The requested scopes (at most <see cref="TokenService.MaxScopes"/>).</param>
/// <param name="Offline">True when a refresh token is asked for.</param>
/// <param name="Credentials">The credentials of a <see cref="TokenGrant.Password"/> grant.</param>
/// <param name="RefreshToken">The refresh token of a <see cref="TokenGrant.RefreshToken"/> grant.</param>
public sealed record TokenRequest(
    TokenGrant Grant,
    bool IsOAuth,
    string? Service,
    IReadOnlyList<AccessScope> Scopes,
    bool Offline,
    BasicCredentials? Credentials,
    string? RefreshToken)
{
    /// <summary>Never prints a credential or a refresh token.</summary>
    public override string ToString() => $"TokenRequest {{ Grant = {Grant}, Service = {Service}, Scopes = {string.Join(' ', Scopes)} }}";
}
