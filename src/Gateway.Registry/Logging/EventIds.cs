namespace Gateway.Registry.Logging;

/// <summary>
/// Every log event id of the gateway, in one place so that none is used twice and operators can filter by range:
/// 1000–1999 the edge (1000 the audit, 11xx configuration files, 12xx cluster calls, 13xx the registry, 15xx the token
/// server, 16xx LDAP, 17xx federation, 18xx the edge cache), 2000–2999 the grains (20xx activations, 21xx locks, 22xx machine accounts,
/// 23xx retention), 3000–3999 the host (30xx lifetime, 31xx Redis).
/// </summary>
public static class EventIds
{
    /// <summary>The audit event: one per access decision (category <c>Gateway.Audit</c>).</summary>
    public const int AccessDecided = 1000;

    /// <summary>A request refused by the gate (Debug: refusals are expected).</summary>
    public const int AccessDenied = 1001;

    /// <summary>The htpasswd file was loaded at start.</summary>
    public const int HtpasswdLoaded = 1101;

    /// <summary>The htpasswd file was reloaded.</summary>
    public const int HtpasswdReloaded = 1102;

    /// <summary>A changed htpasswd file cannot be used; the previous one stays.</summary>
    public const int HtpasswdRejected = 1103;

    /// <summary>The htpasswd file cannot be read; the previous one stays.</summary>
    public const int HtpasswdUnreadable = 1104;

    /// <summary>The ACL file was loaded at start.</summary>
    public const int AclLoaded = 1111;

    /// <summary>The ACL file was reloaded.</summary>
    public const int AclReloaded = 1112;

    /// <summary>A changed ACL file cannot be used; the previous rules stay.</summary>
    public const int AclRejected = 1113;

    /// <summary>The ACL file cannot be read; the previous rules stay.</summary>
    public const int AclUnreadable = 1114;

    /// <summary>A warning about a rule of the ACL file.</summary>
    public const int AclWarning = 1115;

    /// <summary>A watched folder cannot be watched; the file is polled.</summary>
    public const int FileWatchFailed = 1121;

    /// <summary>A grain call failed (retried once within the request's bound).</summary>
    public const int GrainCallFailed = 1201;

    /// <summary>The registry could not be reached or failed mid-request.</summary>
    public const int BackendFailed = 1301;

    /// <summary>A request body the registry could not read.</summary>
    public const int BackendMalformedBody = 1302;

    /// <summary>A registry 5xx body replaced by the gateway's error.</summary>
    public const int BackendFaultReplaced = 1303;

    /// <summary>A token request refused (Debug).</summary>
    public const int TokenRequestRefused = 1501;

    /// <summary>The LDAP source is configured (mode, servers, TLS).</summary>
    public const int LdapConfigured = 1601;

    /// <summary>An LDAP server failed a verification (unreachable, timed out, TLS refused, service account refused); the next one is tried.</summary>
    public const int LdapServerFailed = 1602;

    /// <summary>An LDAP server's circuit breaker opened: it is skipped for a while.</summary>
    public const int LdapServerSkipped = 1603;

    /// <summary>An LDAP server answers again (its circuit breaker closed).</summary>
    public const int LdapServerBack = 1604;

    /// <summary>No LDAP server could verify a credential: 503 unless the outage grace holds.</summary>
    public const int LdapNoServer = 1605;

    /// <summary>The LDAP user search found more than one entry: refused.</summary>
    public const int LdapAmbiguousUser = 1606;

    /// <summary>The directory refused a credential (Debug: expected).</summary>
    public const int LdapCredentialRefused = 1607;

    /// <summary>The directory verified a credential (Debug).</summary>
    public const int LdapCredentialVerified = 1608;

    /// <summary>An LDAP user has more groups than are read.</summary>
    public const int LdapTooManyGroups = 1609;

    /// <summary>A user grain activated.</summary>
    public const int UserGrainActivated = 2001;

    /// <summary>A (user, address) pair locked.</summary>
    public const int PairLocked = 2101;

    /// <summary>A user locked for every address but known-good ones.</summary>
    public const int UserLocked = 2102;

    /// <summary>A client address blocked for every user.</summary>
    public const int AddressBlocked = 2103;

    /// <summary>A user unlocked by an operator.</summary>
    public const int UserUnlocked = 2104;

    /// <summary>An address unblocked by an operator.</summary>
    public const int AddressUnblocked = 2105;

    /// <summary>A failure could not be counted against its address.</summary>
    public const int AddressCountFailed = 2106;

    /// <summary>A user's tokens revoked by an operator.</summary>
    public const int TokensRevoked = 2107;

    /// <summary>A machine account created.</summary>
    public const int MachineAccountCreated = 2201;

    /// <summary>A machine account revoked.</summary>
    public const int MachineAccountRevoked = 2202;

    /// <summary>The sweeper asked grains to forget expired state.</summary>
    public const int StateSwept = 2301;

    /// <summary>A sweep failed.</summary>
    public const int StateSweepFailed = 2302;

    /// <summary>The sweep index could not be updated.</summary>
    public const int SweepIndexFailed = 2303;

    /// <summary>The node is ready (its one ready line).</summary>
    public const int Ready = 3000;

    /// <summary>Shutdown requested: draining.</summary>
    public const int Draining = 3001;

    /// <summary>The node stopped.</summary>
    public const int Stopped = 3002;

    /// <summary>The keys of a trusted issuer were fetched.</summary>
    public const int FederationKeysFetched = 1701;

    /// <summary>The keys of a trusted issuer could not be fetched; the cached ones are kept.</summary>
    public const int FederationKeysUnavailable = 1702;

    /// <summary>A federated token refused (Debug).</summary>
    public const int FederatedTokenRefused = 1703;

    /// <summary>A federated token undecidable: its issuer's keys cannot be fetched.</summary>
    public const int FederatedTokenUndecidable = 1704;

    /// <summary>The edge cache was cleared: invalidations from other nodes may have been missed.</summary>
    public const int EdgeCacheCleared = 1801;

    /// <summary>An invalidation could not be sent to the other nodes.</summary>
    public const int EdgeCacheInvalidationNotSent = 1802;

    /// <summary>A node listens for invalidations (again) on the cluster's Redis.</summary>
    public const int EdgeCacheListening = 1803;

    /// <summary>A node stopped listening for invalidations and serves nothing from memory.</summary>
    public const int EdgeCacheNotListening = 1804;

    /// <summary>A node could not subscribe to invalidations yet (Debug).</summary>
    public const int EdgeCacheSubscribeFailed = 1805;

    /// <summary>Some nodes did not confirm an invalidation within the bound.</summary>
    public const int EdgeCacheInvalidationUnconfirmed = 1806;

    /// <summary>A stored grain state older than the active grain's was overwritten (after a Redis failover).</summary>
    public const int RedisStaleStateOverwritten = 3101;

    /// <summary>No Redis replica confirmed a write in time.</summary>
    public const int RedisWriteUnconfirmed = 3102;

    /// <summary>Waiting for a Redis replica failed.</summary>
    public const int RedisReplicaWaitFailed = 3103;

    /// <summary>A grain-state read or write retried while a Redis failover may be in progress.</summary>
    public const int RedisStateRetried = 3104;
}
