namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>One trusted issuer as the validator uses it: its options, its parsed account template and its keys.</summary>
/// <param name="Options">The issuer's configuration.</param>
/// <param name="Account">The parsed <see cref="TrustedIssuerOptions.AccountTemplate"/>.</param>
/// <param name="Keys">Its signing keys on this edge.</param>
public sealed record TrustedIssuer(TrustedIssuerOptions Options, AccountTemplate Account, IssuerKeySource Keys);
