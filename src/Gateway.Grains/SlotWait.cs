namespace Gateway.Grains;

/// <summary>Whether a new verification may start, or which verification in flight it must wait for.</summary>
internal enum SlotWait
{
    /// <summary>There is room: start one.</summary>
    None,

    /// <summary>The pair's failures and verifications in flight fill its limit: wait for one from the same address.</summary>
    SameAddress,

    /// <summary>The user's failures and verifications in flight fill its limit: wait for any.</summary>
    AnyAddress,
}
