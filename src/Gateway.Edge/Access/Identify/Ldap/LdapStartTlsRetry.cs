using System.DirectoryServices.Protocols;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// Whether a refused StartTLS request is asked again on the same connection, and after how long. Only one refusal is
/// transient: <c>operationsError</c>, which slapd answers ("cannot start TLS when operations are outstanding") when
/// the root DSE read that opened the connection is still registered on its side: slapd sends an operation's result
/// before it retires the operation, so on a busy server the StartTLS that follows can arrive in between. Nothing has
/// changed on the connection then (still clear text, nothing secret sent), and the same request succeeds a moment
/// later. Every other answer, and every TLS handshake failure (a wrong CA, a wrong name: those are not server
/// answers at all), is final.
/// </summary>
internal static class LdapStartTlsRetry
{
    /// <summary>How many refusals are asked again before the upgrade counts as failed.</summary>
    public const int MaxRetries = 5;

    /// <summary>The first pause; each further one doubles it (2, 4, 8, 16, 32 ms: 62 ms at most in all).</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The pause before asking again after the server answered StartTLS with <paramref name="answer"/> for the
    /// <paramref name="refusals"/>-th time (1 for the first); null when the refusal is final.
    /// </summary>
    public static TimeSpan? Delay(ResultCode answer, int refusals) =>
        answer == ResultCode.OperationsError && refusals >= 1 && refusals <= MaxRetries
            ? FirstDelay * (1 << (refusals - 1))
            : null;
}
