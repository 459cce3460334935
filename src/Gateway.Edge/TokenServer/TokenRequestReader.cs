using System.Text;
using Gateway.Registry.Access;
using Gateway.Registry.Credentials;
using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// Reads a token request (<c>token.md</c>: <c>GET</c> with Basic credentials, <c>service</c>, repeated and
/// space-separated <c>scope</c>, <c>account</c>, <c>offline_token</c>; <c>oauth.md</c>: the <c>POST</c> form with
/// <c>grant_type=password|refresh_token</c>, <c>access_type=offline</c>) into a <see cref="TokenRequest"/>, or says
/// why it cannot be served. Checks only the request's own shape and the service; users are the endpoint's business.
/// </summary>
public static class TokenRequestReader
{
    private static readonly FormOptions FormLimits = new()
    {
        BufferBody = false,
        ValueCountLimit = 64,
        ValueLengthLimit = 64 * 1024,
        KeyLengthLimit = 64,
        MultipartBodyLengthLimit = 0,
    };

    /// <summary>Reads the request.</summary>
    /// <param name="context">The HTTP request.</param>
    /// <param name="service">The one service tokens are issued for.</param>
    /// <param name="anonymousAllowed">True when a <c>GET</c> without credentials is an anonymous request.</param>
    public static async Task<(TokenRequest? Request, TokenRequestRefusal? Refusal)> ReadAsync(HttpContext context, string service, bool anonymousAllowed)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        TokenGrant grant;
        string? requestedService, refreshToken = null;
        bool offline;
        StringValues scopeValues;
        BasicCredentials? credentials = null;
        var oauth = HttpMethods.IsPost(request.Method);
        if (oauth)
        {
            if (!request.HasFormContentType)
            {
                return Refuse(TokenGrant.None, "POST takes an application/x-www-form-urlencoded form (grant_type=password or refresh_token)");
            }

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(FormLimits, context.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                return Refuse(TokenGrant.None, "the form is too large or malformed");
            }

            requestedService = Single(form["service"]);
            offline = string.Equals(Single(form["access_type"]), "offline", StringComparison.Ordinal);
            scopeValues = form["scope"];
            switch (Single(form["grant_type"]))
            {
                case "password":
                    grant = TokenGrant.Password;
                    var user = Single(form["username"]);
                    var password = Single(form["password"]);
                    if (string.IsNullOrEmpty(user) || password is null
                        || Encoding.UTF8.GetByteCount(user) > BasicCredentialParser.MaxUserNameBytes || user.Contains(':', StringComparison.Ordinal)
                        || Encoding.UTF8.GetByteCount(password) > BasicCredentialParser.MaxPasswordBytes)
                    {
                        return (null, new TokenRequestRefusal(grant, AccessOutcome.MalformedCredentials, new RegistryError(RegistryErrorCode.Unauthorized), Challenge: true, "grant_type=password needs username and password"));
                    }

                    credentials = new BasicCredentials(user, Secret.FromString(password));
                    break;
                case "refresh_token":
                    grant = TokenGrant.RefreshToken;
                    refreshToken = Single(form["refresh_token"]);
                    if (string.IsNullOrEmpty(refreshToken))
                    {
                        return Refuse(grant, "grant_type=refresh_token needs refresh_token");
                    }

                    break;
                default:
                    return Refuse(TokenGrant.None, "unsupported grant_type; use password or refresh_token");
            }
        }
        else
        {
            var query = request.Query;
            requestedService = Single(query["service"]);
            var account = Single(query["account"]);
            offline = string.Equals(Single(query["offline_token"]), "true", StringComparison.OrdinalIgnoreCase);
            scopeValues = query["scope"];
            var parsed = BasicCredentialParser.TryParse(request.Headers.Authorization, out credentials);
            var anonymous = parsed == CredentialParseStatus.Missing && anonymousAllowed && string.IsNullOrEmpty(account);
            grant = anonymous ? TokenGrant.Anonymous : parsed == CredentialParseStatus.Ok ? TokenGrant.Password : TokenGrant.None;
            if (parsed != CredentialParseStatus.Ok && !anonymous)
            {
                var outcome = parsed == CredentialParseStatus.Malformed ? AccessOutcome.MalformedCredentials : AccessOutcome.Unauthenticated;
                return (null, new TokenRequestRefusal(grant, outcome, new RegistryError(RegistryErrorCode.Unauthorized), Challenge: true, "no valid Basic credentials"));
            }

            if (!anonymous && !string.IsNullOrEmpty(account) && !string.Equals(account, credentials!.UserName, StringComparison.Ordinal))
            {
                return Refuse(grant, "account does not match the credentials' user");
            }

            offline &= !anonymous; // no refresh token without a login
        }

        if (!string.IsNullOrEmpty(requestedService) && !string.Equals(requestedService, service, StringComparison.Ordinal))
        {
            return Refuse(grant, $"tokens are issued for the service '{service}' only");
        }

        var scopes = new List<AccessScope>();
        foreach (var value in scopeValues)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!AccessScope.TryParseList(value, TokenService.MaxScopes - scopes.Count, out var parsedScopes))
            {
                return Refuse(grant, $"invalid scope, or more than {TokenService.MaxScopes} scopes");
            }

            scopes.AddRange(parsedScopes);
        }

        return (new TokenRequest(grant, oauth, requestedService, scopes, offline, credentials, refreshToken), null);
    }

    private static (TokenRequest?, TokenRequestRefusal?) Refuse(TokenGrant grant, string message) =>
        (null, new TokenRequestRefusal(grant, AccessOutcome.BadRequest, new RegistryError(RegistryErrorCode.Unsupported, message, 400)));

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;
}
