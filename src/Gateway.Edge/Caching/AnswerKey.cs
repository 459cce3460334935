namespace Gateway.Edge.Caching;

/// <summary>
/// One cached answer: the content address and the request's <c>Accept</c> header. The registry answers a manifest
/// by digest according to <c>Accept</c> (an OCI manifest to a client that does not accept OCI is a 404), so answers
/// to different <c>Accept</c> headers are kept apart; a fleet of one client kind sends one.
/// </summary>
/// <param name="Address">The (kind, repository, digest).</param>
/// <param name="Accept">The request's <c>Accept</c> values joined by <c>", "</c>; empty for blobs.</param>
public readonly record struct AnswerKey(ContentAddress Address, string Accept);
