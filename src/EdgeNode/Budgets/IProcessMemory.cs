namespace EPostEdge.EdgeNode.Budgets;

/// <summary>Reads the node's own memory use (proc(5)); tests feed samples.</summary>
public interface IProcessMemory
{
    /// <summary>The process's memory now.</summary>
    MemorySample Sample();

    /// <summary>A full, compacting collection that gives free memory back to the OS.</summary>
    void Collect();
}
