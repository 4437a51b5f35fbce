using EPostEdge.Overlay.Ids;
using EPostEdge.Overlay.Kbr;

namespace EPostEdge.Overlay.Scribe;

/// <summary>
/// Scribe (Castro, Druschel, Kermarrec, Rowstron, IEEE JSAC 2002) over the common KBR API: a
/// group is a key, its root is the key's root node, and its tree is the union of the KBR routes
/// from the members to the key (reverse-path forwarding).
/// </summary>
/// <remarks>
/// Every public method and timer callback runs its body through <see cref="IKeyBasedRouting.Execute"/>,
/// and the KBR upcalls already run on the node's logical thread, so the state needs no lock.
/// Calls into the KBR may re-enter this class synchronously (a Route whose root is this node
/// delivers here at once), so loops over the state iterate over snapshots.
/// </remarks>
public sealed class Scribe : IKbrApplication, IDisposable
{
    /// <summary>Scribe's application id on the KBR layer.</summary>
    public const ushort ApplicationId = 2;

    // A depth-first search visits each tree node about twice; this bounds one that meets a broken
    // (cyclic) tree during repair.
    private const int MaxSearchSteps = 4096;

    private readonly IKeyBasedRouting _kbr;
    private readonly ScribeOptions _options;
    private readonly Dictionary<NodeId, ScribeGroup> _groups = [];
    private readonly ITimer _timer;
    private volatile bool _disposed;

    /// <summary>Registers with <paramref name="kbr"/> as application <see cref="ApplicationId"/> and starts the maintenance timer.</summary>
    public Scribe(IKeyBasedRouting kbr, ScribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kbr);
        _kbr = kbr;
        _options = options ?? new ScribeOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.HeartbeatInterval, TimeSpan.Zero, nameof(options));
        _kbr.Register(ApplicationId, this);
        _timer = _kbr.Time.CreateTimer(_ => OnTimer(), null, _options.HeartbeatInterval, _options.HeartbeatInterval);
    }

    private NodeHandle Local => _kbr.LocalNode;

    private DateTimeOffset Now => _kbr.Time.GetUtcNow();

    /// <summary>
    /// Scribe's CREATE: routes to the group key, whose root keeps the group while it stays root.
    /// Optional: the first JOIN creates the tree too.
    /// </summary>
    public void Create(NodeId group) =>
        _kbr.Execute(() => _kbr.Route(group, ApplicationId, ScribeMessage.Control(ScribeMessageKind.Create, group).Encode()));

    /// <summary>Makes <paramref name="client"/> this node's member of <paramref name="group"/>, joining the tree if this node is not in it.</summary>
    public void Join(NodeId group, IScribeClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _kbr.Execute(() =>
        {
            if (_groups.TryGetValue(group, out var existing))
            {
                // Scribe §2.2: a node already in the tree (as a forwarder) just becomes a member.
                existing.Client = client;
                return;
            }

            var state = new ScribeGroup(group) { Client = client };
            _groups.Add(group, state);
            StartJoin(state);
        });
    }

    /// <summary>Ends this node's membership; the node leaves the tree unless it still forwards for children.</summary>
    public void Leave(NodeId group) => _kbr.Execute(() =>
    {
        if (_groups.TryGetValue(group, out var state))
        {
            state.Client = null;
            Prune(state);
        }
    });

    /// <summary>Sends <paramref name="payload"/> to every member: routed to the root, then down the tree.</summary>
    public void Multicast(NodeId group, ReadOnlyMemory<byte> payload) => _kbr.Execute(() =>
        _kbr.Route(group, ApplicationId, ScribeMessage.WithPayload(ScribeMessageKind.Multicast, group, payload).Encode()));

    /// <summary>
    /// Sends <paramref name="payload"/> to one member that accepts it: routed towards the group key
    /// until it meets the tree, then a depth-first search of the tree from there.
    /// </summary>
    public void Anycast(NodeId group, ReadOnlyMemory<byte> payload) => _kbr.Execute(() =>
    {
        if (_groups.ContainsKey(group))
        {
            Search(group, ScribeMessage.AnycastSearch(group, [], null, 0, payload));
        }
        else
        {
            _kbr.Route(group, ApplicationId, ScribeMessage.WithPayload(ScribeMessageKind.Anycast, group, payload).Encode());
        }
    });

    /// <summary>This node's parent in the group's tree; null at the root, while joining, or when not in the tree.</summary>
    public NodeHandle? Parent(NodeId group)
    {
        NodeHandle? parent = null;
        _kbr.Execute(() => parent = _groups.GetValueOrDefault(group)?.Parent);
        return parent;
    }

    /// <summary>This node's children in the group's tree (a snapshot).</summary>
    public IReadOnlyCollection<NodeHandle> Children(NodeId group)
    {
        IReadOnlyCollection<NodeHandle> children = [];
        _kbr.Execute(() =>
        {
            if (_groups.TryGetValue(group, out var state))
            {
                children = state.Children.Values.Select(c => c.Node).ToArray();
            }
        });
        return children;
    }

    /// <summary>True when this node has a local member of the group.</summary>
    public bool IsMember(NodeId group)
    {
        var member = false;
        _kbr.Execute(() => member = _groups.GetValueOrDefault(group)?.Client is not null);
        return member;
    }

    /// <summary>True when this node is part of the group's tree (member, forwarder or root).</summary>
    public bool IsInTree(NodeId group)
    {
        var inTree = false;
        _kbr.Execute(() => inTree = _groups.ContainsKey(group));
        return inTree;
    }

    /// <inheritdoc />
    public void Deliver(NodeId key, KbrMessage message)
    {
        if (!ScribeMessage.TryDecode(message.Payload.Span, out var m))
        {
            return;
        }

        var source = message.Source;
        switch (m.Kind)
        {
            case ScribeMessageKind.Create:
                BecomeRoot(GetOrAdd(m.Group)).Created = true;
                break;
            case ScribeMessageKind.Join:
                DeliverJoin(m);
                break;
            case ScribeMessageKind.Multicast:
                if (_groups.TryGetValue(m.Group, out var root))
                {
                    Disseminate(root, m);
                }

                break;
            case ScribeMessageKind.Anycast:
                if (_groups.ContainsKey(m.Group))
                {
                    Search(m.Group, ScribeMessage.AnycastSearch(m.Group, [], null, 0, m.Payload));
                }

                break;
            case ScribeMessageKind.JoinAck:
                OnJoinAck(source, m.Group);
                break;
            case ScribeMessageKind.Heartbeat:
                HeardFromParent(source, m.Group);
                break;
            case ScribeMessageKind.Data:
                if (HeardFromParent(source, m.Group) is { } state)
                {
                    Disseminate(state, m);
                }

                break;
            case ScribeMessageKind.Refresh:
                OnRefresh(source, m.Group);
                break;
            case ScribeMessageKind.Leave:
                OnLeave(source, m.Group);
                break;
            case ScribeMessageKind.AnycastSearch:
                Search(m.Group, m);
                break;
            default:
                break;
        }
    }

    /// <inheritdoc />
    public bool Forward(NodeId key, ref KbrMessage message, ref NodeHandle nextHop)
    {
        if (!ScribeMessage.TryDecode(message.Payload.Span, out var m))
        {
            return true;
        }

        switch (m.Kind)
        {
            case ScribeMessageKind.Join:
                return ForwardJoin(m, ref message);
            case ScribeMessageKind.Anycast when _groups.ContainsKey(m.Group):
                // Scribe §2.2: the anycast stops at the first tree node on its route and searches the tree from there.
                Search(m.Group, ScribeMessage.AnycastSearch(m.Group, [], null, 0, m.Payload));
                return false;
            default:
                return true;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }

    private bool ForwardJoin(ScribeMessage join, ref KbrMessage message)
    {
        var hop = join.Hop!;
        if (hop.Id == Local.Id)
        {
            return true; // our own JOIN on its first hop
        }

        if (_groups.TryGetValue(join.Group, out var state) && state.Parent?.Id != hop.Id)
        {
            // Scribe §2.2: the JOIN met the tree; the previous hop hangs below this node.
            AddChild(state, hop);
            return false;
        }

        // Scribe §2.2: not in the tree yet, so become a forwarder: adopt the previous hop and carry
        // the JOIN on as its last tree hop. The same when the joiner is this node's own parent: the
        // parent's route runs through this node, so this node is nearer the key and the link flips
        // (keeping it would close a cycle cut off from the root).
        state ??= GetOrAdd(join.Group);
        state.Parent = null;
        AddChild(state, hop);
        state.Joining = true;
        state.JoinSent = Now;
        message = message with { Payload = ScribeMessage.Join(join.Group, Local).Encode() };
        return true;
    }

    private void DeliverJoin(ScribeMessage join)
    {
        // The JOIN reached the key's root: this node is the tree's root.
        var state = BecomeRoot(GetOrAdd(join.Group));
        if (join.Hop!.Id != Local.Id)
        {
            AddChild(state, join.Hop);
        }
    }

    private ScribeGroup BecomeRoot(ScribeGroup state)
    {
        if (state.Parent is { } parent)
        {
            SendControl(parent, ScribeMessageKind.Leave, state.Id);
            state.Parent = null;
        }

        state.Joining = false;
        return state;
    }

    private void OnJoinAck(NodeHandle source, NodeId group)
    {
        if (!_groups.TryGetValue(group, out var state))
        {
            SendControl(source, ScribeMessageKind.Leave, group);
            return;
        }

        if (state.Parent?.Id == source.Id)
        {
            state.ParentHeard = Now;
        }
        else if (state.Parent is null && (state.Joining || !_kbr.IsRoot(group)))
        {
            Adopt(state, source);
        }
        else
        {
            // A second answer to a re-sent JOIN, or a stale one: one parent only, or members get duplicates.
            SendControl(source, ScribeMessageKind.Leave, group);
        }
    }

    private void Adopt(ScribeGroup state, NodeHandle parent)
    {
        if (state.Children.Remove(parent.Id))
        {
            // Our JOIN was absorbed by our own child: it is nearer the key than we are, so the link
            // flips, and the child (whose parent we were) must find a parent of its own.
            SendControl(parent, ScribeMessageKind.Leave, state.Id);
        }

        state.Parent = parent;
        state.Joining = false;
        state.ParentHeard = Now;
    }

    /// <summary>A heartbeat or multicast from <paramref name="source"/>; returns the group's state when <paramref name="source"/> is our parent.</summary>
    private ScribeGroup? HeardFromParent(NodeHandle source, NodeId group)
    {
        if (_groups.TryGetValue(group, out var state))
        {
            if (state.Parent?.Id == source.Id)
            {
                state.ParentHeard = Now;
                return state;
            }

            if (state.Parent is null && state.Joining && !state.Children.ContainsKey(source.Id))
            {
                // Its JOIN ack was lost but the parent took us: take it back.
                Adopt(state, source);
                return state;
            }
        }

        // Not our parent (we re-joined elsewhere, or left): stop it sending to us.
        SendControl(source, ScribeMessageKind.Leave, group);
        return null;
    }

    private void OnRefresh(NodeHandle source, NodeId group)
    {
        if (!_groups.TryGetValue(group, out var state))
        {
            // We left the tree; the child must find another parent.
            SendControl(source, ScribeMessageKind.Leave, group);
            return;
        }

        if (state.Parent?.Id == source.Id)
        {
            // Each of us thinks the other is its parent: a cycle cut off from the root. Re-join.
            state.Parent = null;
            StartJoin(state);
        }

        // A refresh from a child this node timed out (a slow link) brings it back.
        state.Children[source.Id] = (source, Now);
    }

    private void OnLeave(NodeHandle source, NodeId group)
    {
        if (!_groups.TryGetValue(group, out var state))
        {
            return;
        }

        if (state.Parent?.Id == source.Id)
        {
            // The parent dropped us: find another one through a new route.
            state.Parent = null;
            StartJoin(state);
        }
        else if (state.Children.Remove(source.Id))
        {
            Prune(state);
        }
    }

    private void Disseminate(ScribeGroup state, ScribeMessage multicast)
    {
        var data = ScribeMessage.WithPayload(ScribeMessageKind.Data, state.Id, multicast.Payload).Encode();
        foreach (var (child, _) in state.Children.Values.ToArray())
        {
            _kbr.Send(child, ApplicationId, data);
        }

        state.Client?.DeliverMulticast(state.Id, multicast.Payload);
    }

    /// <summary>
    /// One step of an anycast's depth-first search of the tree (Scribe §2.2). The message carries
    /// the search path, so no node keeps state: a node first offers the payload to its member,
    /// then sends the search to its next unvisited tree neighbour, or back up the path when none is left.
    /// </summary>
    private void Search(NodeId group, ScribeMessage search)
    {
        var state = _groups.GetValueOrDefault(group);
        if (search.ReturningFrom is null && state?.Client?.DeliverAnycast(group, search.Payload) == true)
        {
            return;
        }

        if (search.Steps >= MaxSearchSteps)
        {
            return;
        }

        var path = search.Path;
        var cameFrom = path.Count > 0 ? path[^1].Id : (NodeId?)null;
        NodeHandle? next = null;
        if (state is not null && path.Count < ScribeMessage.MaxPathLength)
        {
            next = state.Neighbours().FirstOrDefault(n =>
                n.Id != cameFrom && n.Id != Local.Id && (search.ReturningFrom is not { } back || n.Id > back));
        }

        if (next is not null)
        {
            NodeHandle[] deeper = [.. path, Local];
            Send(next, ScribeMessage.AnycastSearch(group, deeper, null, search.Steps + 1, search.Payload));
        }
        else if (path.Count > 0)
        {
            var back = path[^1];
            NodeHandle[] shorter = [.. path.Take(path.Count - 1)];
            Send(back, ScribeMessage.AnycastSearch(group, shorter, Local.Id, search.Steps + 1, search.Payload));
        }

        // Otherwise the whole tree was searched and no member accepted: the anycast ends unanswered.
    }

    private void OnTimer()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _kbr.Execute(Maintain);
        }
        catch (ObjectDisposedException)
        {
            // The node shut down under a pending tick.
        }
    }

    /// <summary>Scribe §2.3: heartbeats down, refreshes up, re-join on a silent parent, drop silent children, follow the root.</summary>
    private void Maintain()
    {
        var now = Now;
        foreach (var state in _groups.Values.ToArray())
        {
            var isRoot = _kbr.IsRoot(state.Id);
            if (state.Parent is not null && isRoot)
            {
                BecomeRoot(state); // the root died and this node took over its key
            }
            else if (state.ActsAsRoot && !isRoot)
            {
                StartJoin(state); // a node nearer the key joined: hang the tree under it
            }

            foreach (var (child, heard) in state.Children.Values.ToArray())
            {
                if (now - heard > _options.ChildTimeout)
                {
                    state.Children.Remove(child.Id);
                }
                else
                {
                    SendControl(child, ScribeMessageKind.Heartbeat, state.Id);
                }
            }

            if (state.Parent is { } parent)
            {
                if (now - state.ParentHeard > _options.ParentTimeout)
                {
                    state.Parent = null;
                    StartJoin(state); // the JOIN routes around the dead parent and repairs the tree
                }
                else
                {
                    SendControl(parent, ScribeMessageKind.Refresh, state.Id);
                }
            }
            else if (state.Joining && now - state.JoinSent > _options.ParentTimeout)
            {
                StartJoin(state); // the JOIN or its ack was lost
            }

            Prune(state);
        }
    }

    private void StartJoin(ScribeGroup state)
    {
        state.Joining = true;
        state.JoinSent = Now;
        _kbr.Route(state.Id, ApplicationId, ScribeMessage.Join(state.Id, Local).Encode());
    }

    private void AddChild(ScribeGroup state, NodeHandle child)
    {
        if (child.Id == Local.Id)
        {
            return;
        }

        state.Children[child.Id] = (child, Now);
        SendControl(child, ScribeMessageKind.JoinAck, state.Id);
    }

    /// <summary>Scribe §2.2 leave: a node with no member and no children leaves the tree.</summary>
    private void Prune(ScribeGroup state)
    {
        if (state.Client is not null || state.Children.Count > 0 || (state.Created && state.ActsAsRoot))
        {
            return;
        }

        if (state.Parent is { } parent)
        {
            SendControl(parent, ScribeMessageKind.Leave, state.Id);
        }

        _groups.Remove(state.Id);
    }

    private ScribeGroup GetOrAdd(NodeId group)
    {
        if (!_groups.TryGetValue(group, out var state))
        {
            state = new ScribeGroup(group);
            _groups.Add(group, state);
        }

        return state;
    }

    private void SendControl(NodeHandle node, ScribeMessageKind kind, NodeId group) =>
        Send(node, ScribeMessage.Control(kind, group));

    private void Send(NodeHandle node, ScribeMessage message)
    {
        if (node.Id != Local.Id)
        {
            _kbr.Send(node, ApplicationId, message.Encode());
        }
    }
}
