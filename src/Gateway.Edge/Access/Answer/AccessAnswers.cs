using System.Globalization;
using Gateway.Edge.Responses;
using Gateway.Registry.Access;
using Gateway.Registry.Challenges;
using Gateway.Registry.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Answer;

/// <summary>
/// The one writer of every refusal of the gate and the token endpoint: <c>Retry-After</c>, <c>Location</c>, the Basic
/// or Bearer challenge, the pull-limit headers, then the registry-format error body.
/// </summary>
public sealed class AccessAnswers(IOptions<AuthOptions> auth, IOptions<RegistryTokenOptions> token)
{
    private readonly string _basic = BasicChallenge.Format(auth.Value.Realm);

    /// <summary>The Basic challenge of this gateway (<c>Basic realm="…"</c>).</summary>
    public string BasicChallengeValue => _basic;

    /// <summary>Writes <paramref name="refusal"/>; <paramref name="scopes"/> are what the request asked (a Bearer challenge names them).</summary>
    /// <param name="context">The request; its response must not have started.</param>
    /// <param name="refusal">The refusal.</param>
    /// <param name="scopes">The request's scopes.</param>
    /// <param name="pullSource">Who a pull budget is counted for (<c>docker-ratelimit-source</c>).</param>
    public Task WriteAsync(HttpContext context, AccessRefusal refusal, IReadOnlyList<AccessScope> scopes, string pullSource)
    {
        var headers = context.Response.Headers;
        if (refusal.RetryAfterSeconds is { } retryAfter)
        {
            headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        if (refusal.Location is not null)
        {
            headers.Location = refusal.Location;
        }

        switch (refusal.Challenge)
        {
            case ChallengeKind.Basic:
                headers.WWWAuthenticate = _basic;
                break;
            case ChallengeKind.Bearer:
                headers.WWWAuthenticate = Bearer(context.Request, refusal, scopes);
                break;
        }

        PullHeaders.Write(context.Response, pullSource, refusal.Pulls);
        return RegistryResponses.WriteErrorAsync(context, refusal.Error);
    }

    /// <summary>Registry 2.8's token-mode challenge: realm, service, the scopes asked, the error and (for insufficient_scope) its description.</summary>
    private string Bearer(HttpRequest request, AccessRefusal refusal, IReadOnlyList<AccessScope> scopes)
    {
        var options = token.Value;
        var realm = options.Realm.StartsWith('/') ? $"{request.Scheme}://{request.Host.Value}{options.Realm}" : options.Realm;
        var challenge = $"Bearer realm={Quote(realm)},service={Quote(options.Service)}";
        if (scopes.Count > 0)
        {
            challenge += $",scope={Quote(string.Join(' ', scopes))}";
        }

        if (refusal.BearerError is not null)
        {
            challenge += $",error={Quote(refusal.BearerError)}";
        }

        if (refusal.DescribeInChallenge)
        {
            // RFC 6750's error_description: docker reports an insufficient_scope challenge as DENIED with this text
            // (without it, the bare default message) and ignores the body.
            challenge += $",error_description={Quote(refusal.Error.Text)}";
        }

        return challenge;
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
