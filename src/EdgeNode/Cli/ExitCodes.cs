namespace EPostEdge.EdgeNode.Cli;

/// <summary>The exit codes of <c>epost-edge</c> (README "Exit codes"); scripts may rely on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Anything else: an I/O error, a store that cannot be opened, a missing feature.</summary>
    public const int Failure = 1;

    /// <summary>Bad configuration or bad arguments (the message names the setting or option).</summary>
    public const int BadConfiguration = 2;

    /// <summary>A mail port is in use (or needs privileges).</summary>
    public const int PortInUse = 3;

    /// <summary>The data folder has no epostedge.json: run <c>epost-edge init</c> first.</summary>
    public const int NotInitialised = 4;

    /// <summary>Unknown user, or a user name or address already taken.</summary>
    public const int UserError = 5;

    /// <summary>Another node holds DATA/node.lock.</summary>
    public const int AlreadyRunning = 6;

    /// <summary>
    /// Overlay: refused. The node already has an overlay identity (create, join), has none
    /// (invite), may not invite, or the inviter refused the token (used, unknown).
    /// </summary>
    public const int OverlayRefused = 7;

    /// <summary>Overlay: the inviter did not answer the enrollment request (not running, port not reachable).</summary>
    public const int OverlayUnreachable = 8;

    /// <summary><c>simulate</c>: a checker found a violation (the seed and trace are printed; the same seed replays it).</summary>
    public const int SimulationViolation = 9;

    /// <summary><c>store</c>: no running node with the distributed store on this data folder (no DATA/run/control.sock, or it does not answer).</summary>
    public const int StoreUnavailable = 10;

    /// <summary><c>store put</c>: not acknowledged by a majority of the replica set; <c>store get</c>: not found. Retryable.</summary>
    public const int StoreFailed = 11;
}
