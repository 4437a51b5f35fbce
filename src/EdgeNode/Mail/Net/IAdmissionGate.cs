namespace EPostEdge.EdgeNode.Mail.Net;

/// <summary>
/// The node's budgets as the mail protocols ask them (Budgets/BudgetMonitor): whether a new
/// connection or new mail must be turned away with a temporary failure, and why.
/// </summary>
public interface IAdmissionGate
{
    /// <summary>Why a new connection must be refused now (memory near its budget), or null to admit it.</summary>
    string? RefuseConnection();

    /// <summary>Why new mail (SMTP MAIL) must be refused now (disk near full, memory near its budget), or null.</summary>
    string? RefuseNewMail();
}
