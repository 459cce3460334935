using System.Diagnostics.Metrics;
using Gateway.Edge.Telemetry;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// Federation's instruments on the edge's meter: signature checks (what the grain cache saves: a push validates its
/// token once) and key fetches. Labels are fixed sets (result, algorithm, kind), never issuers' or accounts' names.
/// </summary>
public sealed class FederationMetrics
{
    private readonly Counter<long> _signatureChecks;
    private readonly Counter<long> _keyFetches;
    private readonly Counter<long> _rejections;

    /// <summary>Creates the instruments.</summary>
    public FederationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeMetrics.MeterName);
        _signatureChecks = meter.CreateCounter<long>("gateway.federation.signature.checks", "{check}", "Signature checks of federated tokens on this edge, by algorithm and result.");
        _keyFetches = meter.CreateCounter<long>("gateway.federation.key.fetches", "{fetch}", "Fetches of trusted issuers' discovery documents and key sets, by reason and result.");
        _rejections = meter.CreateCounter<long>("gateway.federation.rejections", "{token}", "Federated tokens refused on this edge, by reason.");
    }

    /// <summary>Counts one signature check.</summary>
    public void SignatureChecked(string algorithm, bool valid) =>
        _signatureChecks.Add(1, new("alg", algorithm), new("result", valid ? "valid" : "invalid"));

    /// <summary>Counts one key fetch (<paramref name="reason"/>: initial, expired, unknown_kid).</summary>
    public void KeysFetched(string reason, bool ok) =>
        _keyFetches.Add(1, new("reason", reason), new("result", ok ? "ok" : "failed"));

    /// <summary>Counts one refused token.</summary>
    public void Rejected(TokenRejection reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(reason)));

    private static string ReasonName(TokenRejection reason) => reason switch
    {
        TokenRejection.Malformed => "malformed",
        TokenRejection.TooLong => "too_long",
        TokenRejection.UnsupportedAlgorithm => "algorithm",
        TokenRejection.ForbiddenHeader => "header",
        TokenRejection.UntrustedIssuer => "issuer",
        TokenRejection.UnknownKey => "unknown_key",
        TokenRejection.BadSignature => "signature",
        TokenRejection.WrongAudience => "audience",
        TokenRejection.Expired => "expired",
        TokenRejection.NotYetValid => "not_yet_valid",
        TokenRejection.RequiredClaimMismatch => "required_claims",
        TokenRejection.AccountNotMapped => "account",
        _ => "other",
    };
}
