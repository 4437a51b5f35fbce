namespace EPostEdge.EdgeNode.Hosting;

/// <summary>
/// Finds the mail wiring when it is compiled in. Hosting/MailServices.cs implements
/// <see cref="Compose"/>; without that file the partial method has no body, the call
/// disappears, and the node runs without mail (the CLI says so).
/// </summary>
internal static partial class MailComposition
{
    public static IMailWiring? Wiring
    {
        get
        {
            IMailWiring? wiring = null;
            Compose(ref wiring);
            return wiring;
        }
    }

    static partial void Compose(ref IMailWiring? wiring);
}
