using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Liiklus.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>
/// A rolling upgrade as an orchestrator runs one, with processes: a 3-node cluster on Kafka (librdkafka's mock cluster)
/// and Redis, found through discovery rather than seed nodes, with consumers and publishers running; each node in turn
/// gets SIGTERM and a fresh process takes its place, bootstrapped by the same discovery.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RollingUpgradeSpecs(MockKafkaCluster kafka, RedisServer redis, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<RedisServer>
{
    private const int Partitions = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    // A leaving node hands its coordinators over and its sessions end; the survivors' consumers get the partitions
    // after a rebalance. A few seconds on a quiet machine: the bound leaves room for a CI machine busy with the suite.
    private static readonly TimeSpan NoStreamBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Rolling_upgrade_of_a_cluster_bootstrapped_from_a_static_list_loses_nothing_and_refuses_only_calls_on_the_leaving_node() =>
        await RollingUpgradeAsync(new ConfigDiscovery());

    [Fact]
    public async Task Rolling_upgrade_of_a_cluster_bootstrapped_from_the_Kubernetes_API_loses_nothing_and_refuses_only_calls_on_the_leaving_node()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        await RollingUpgradeAsync(new KubernetesDiscovery(api));
        Assert.True(api.Lookups > 0, "the nodes listed their pods through the Kubernetes API");
    }

    private async Task RollingUpgradeAsync(INodeDiscovery discovery)
    {
        var clock = Stopwatch.StartNew();
        var topic = NewName("topic");
        kafka.CreateTopic(topic, Partitions);
        var environment = GatewayProcess.KafkaAndRedis(kafka.BootstrapServers, redis.Port);
        var slots = Enumerable.Range(0, 3).Select(i => new Slot(i)).ToArray();
        var everyNode = new List<GatewayProcess>();
        var timeline = new DeliveryTimeline();
        var groups = new[] { new Group(NewName("group"), timeline), new Group(NewName("group"), timeline) };
        Publishers? publishers = null;
        try
        {
            // Formed by discovery alone: every node starts at once, none is anyone's seed.
            var pods = slots.Select(slot => new Pod($"liiklus-{slot.Index}-0", GatewayProcess.FreePort())).ToArray();
            foreach (var pod in pods)
            {
                discovery.Started(pod);
            }

            var first = await Task.WhenAll(pods.Select(pod => StartNodeAsync(environment, discovery, pod, pods)));
            everyNode.AddRange(first.Select(node => node.Process));
            for (var i = 0; i < slots.Length; i++)
            {
                slots[i].Node = first[i];
            }

            var formed = clock.Elapsed;
            await AssertOneClusterAsync(slots.Select(s => s.Node!).ToArray());
            output.WriteLine($"3 nodes formed one cluster through {discovery.Name} discovery in {formed.TotalSeconds:0.0} s");

            foreach (var group in groups)
            {
                foreach (var slot in slots)
                {
                    group.Join(slot.Node!.Process, topic);
                }
            }

            publishers = new Publishers(slots, topic);
            await SettledAsync(groups, "before the upgrade");
            timeline.Start();

            foreach (var slot in slots)
            {
                var leaving = slot.Node!;
                leaving.Leaving = true;
                discovery.Stopping(leaving.Pod);
                var stoppedAt = Stopwatch.StartNew();
                leaving.Process.Terminate();
                await leaving.Process.WaitForExitAsync(Deadline);
                var exitCode = await leaving.Process.ExitCodeAsync(Deadline);
                Assert.True(exitCode == 0, $"{leaving.Pod.Name} exited with {exitCode} on SIGTERM:\n{Tail(leaving.Process.Log)}");
                discovery.Stopped(leaving.Pod);
                var exited = stoppedAt.Elapsed;
                foreach (var group in groups)
                {
                    group.Leave(leaving.Process);
                }

                var pod = new Pod($"liiklus-{slot.Index}-1", GatewayProcess.FreePort());
                discovery.Started(pod);
                var live = slots.Where(s => s != slot).Select(s => s.Node!.Pod).Append(pod).ToArray();
                var replacement = await StartNodeAsync(environment, discovery, pod, live);
                everyNode.Add(replacement.Process);
                slot.Node = replacement;
                output.WriteLine($"{leaving.Pod.Name} exited {exited.TotalSeconds:0.0} s after SIGTERM; {pod.Name} Up {stoppedAt.Elapsed.TotalSeconds:0.0} s after the SIGTERM");
                foreach (var group in groups)
                {
                    group.Join(replacement.Process, topic);
                }

                await SettledAsync(groups, $"after {pod.Name} joined");
            }

            await AssertOneClusterAsync(slots.Select(s => s.Node!).ToArray());
            var confirmed = await publishers.StopAsync();
            var longest = timeline.Stop();
            foreach (var group in groups)
            {
                await Eventually.Until(
                    () => Task.FromResult(confirmed.Count(value => !group.Processed(value))),
                    missing => missing == 0,
                    $"every confirmed record received by {group.Name}",
                    Deadline);
            }

            var refused = publishers.Refused;
            output.WriteLine(
                $"{discovery.Name}: {confirmed.Count} records confirmed, every one received by both groups; {refused.Count} publish calls refused " +
                $"({string.Join(", ", refused.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key}"))}); longest time a partition had no live stream: " +
                $"{longest.TotalMilliseconds:0} ms; whole spec {clock.Elapsed.TotalSeconds:0} s");
            Assert.All(refused, r => Assert.True(
                r.Status == StatusCode.Unavailable && r.Leaving,
                $"{r.Status} from {r.Node}, which was {(r.Leaving ? "leaving" : "staying")}: {r.Detail}"));
            Assert.True(longest < NoStreamBound, $"a partition had no live stream for {longest}");
            Assert.True(confirmed.Count > 0);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(
                $"{e.Message}\ngroups: {string.Join("\n", groups.Select(g => g.ToString()))}\nlogs of the last nodes:\n" +
                string.Join("\n---\n", everyNode.TakeLast(3).Select(n => Tail(n.Log))),
                e);
        }
        finally
        {
            if (publishers is not null)
            {
                await publishers.StopAsync();
            }

            foreach (var group in groups)
            {
                group.Dispose();
            }

            foreach (var node in everyNode)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task<Node> StartNodeAsync(Dictionary<string, string> common, INodeDiscovery discovery, Pod pod, IReadOnlyList<Pod> live)
    {
        var environment = new Dictionary<string, string>(common)
        {
            ["akka_management_hostname"] = "127.0.0.1",
            ["akka_management_port"] = pod.ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in discovery.Environment(live))
        {
            environment[name] = value;
        }

        return new Node(pod, await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null));
    }

    /// <summary>Every node's management endpoint lists the same members, all of the nodes: one cluster, not several.</summary>
    private static async Task AssertOneClusterAsync(IReadOnlyList<Node> nodes)
    {
        using var http = new HttpClient();
        var expected = string.Join(",", nodes.Select(n => n.Process.RemotePort).Order());
        await Eventually.Until(
            async () => string.Join(" | ", (await Task.WhenAll(nodes.Select(n => MembersAsync(http, n.Pod.ManagementPort)))).Select(view => string.Join(",", view))),
            views => views.Split(" | ").All(view => view == expected),
            $"every node's members are the nodes on remote ports {string.Join(",", expected)}",
            Deadline);
    }

    private static async Task<List<int>> MembersAsync(HttpClient http, int managementPort)
    {
        try
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{managementPort}/bootstrap/seed-nodes"));
            return [.. json.RootElement.GetProperty("Nodes").EnumerateArray().Select(member => Port(member.GetProperty("Node"))).Order()];
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return [];
        }

        static int Port(JsonElement address) => address.ValueKind == JsonValueKind.String
            ? Akka.Actor.Address.Parse(address.GetString()!).Port ?? 0
            : address.GetProperty("Port").GetInt32();
    }

    /// <summary>Each group reads every partition through exactly one open stream, and each node's consumer reads some.</summary>
    private static async Task SettledAsync(IReadOnlyList<Group> groups, string when)
    {
        foreach (var group in groups)
        {
            await Eventually.Until(
                () => Task.FromResult(group.Live.Select(c => c.Receiving).ToList()),
                receiving => receiving.All(r => r.Count > 0) && receiving.Sum(r => r.Count) == Partitions && receiving.SelectMany(r => r).Distinct().Count() == Partitions,
                $"{group.Name}: each partition received by exactly one live consumer {when}",
                Deadline);
        }
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));

    private sealed record Pod(string Name, int ManagementPort);

    private sealed class Node(Pod pod, GatewayProcess process)
    {
        public Pod Pod { get; } = pod;

        public GatewayProcess Process { get; } = process;

        /// <summary>Set before its SIGTERM: publishers send it nothing new, as a Service stops routing to it.</summary>
        public volatile bool Leaving;
    }

    private sealed class Slot(int index)
    {
        public int Index { get; } = index;

        public volatile Node? Node;
    }

    /// <summary>How a starting node finds its cluster, and what the orchestrator does as pods come and go.</summary>
    private interface INodeDiscovery
    {
        string Name { get; }

        IReadOnlyDictionary<string, string> Environment(IReadOnlyList<Pod> live);

        void Started(Pod pod);

        void Stopping(Pod pod);

        void Stopped(Pod pod);
    }

    /// <summary>akka_cluster_bootstrap=config: a starting node is given the management endpoints of the live nodes and its own.</summary>
    private sealed class ConfigDiscovery : INodeDiscovery
    {
        public string Name => "config";

        public IReadOnlyDictionary<string, string> Environment(IReadOnlyList<Pod> live) => new Dictionary<string, string>
        {
            ["akka_cluster_bootstrap"] = "config",
            ["akka_discovery_config_endpoints"] = string.Join(",", live.Select(p => $"127.0.0.1:{p.ManagementPort}")),
        };

        public void Started(Pod pod)
        {
        }

        public void Stopping(Pod pod)
        {
        }

        public void Stopped(Pod pod)
        {
        }
    }

    /// <summary>akka_cluster_bootstrap=kubernetes: the pods the (fake) API server lists, as the kubelet keeps them.</summary>
    private sealed class KubernetesDiscovery(FakeKubernetesApi api) : INodeDiscovery
    {
        public string Name => "kubernetes";

        public IReadOnlyDictionary<string, string> Environment(IReadOnlyList<Pod> live) => api.NodeEnvironment;

        public void Started(Pod pod) => api.AddPod(pod.Name, pod.ManagementPort);

        public void Stopping(Pod pod) => api.MarkTerminating(pod.Name);

        public void Stopped(Pod pod) => api.RemovePod(pod.Name);
    }

    /// <summary>One application's consumers, one per node; what any of them ever processed.</summary>
    private sealed class Group(string name, DeliveryTimeline timeline) : IDisposable
    {
        private readonly ConcurrentDictionary<GatewayProcess, GroupConsumer> _live = new();
        private readonly ConcurrentBag<GroupConsumer> _all = [];

        public string Name { get; } = name;

        public IReadOnlyCollection<GroupConsumer> Live => [.. _live.Values];

        public void Join(GatewayProcess node, string topic)
        {
            var consumer = new GroupConsumer(node.Client, topic, Name, partition => timeline.Delivered(Name, partition));
            _live[node] = consumer;
            _all.Add(consumer);
        }

        /// <summary>The node is gone: its consumer stops calling it (it keeps what it processed).</summary>
        public void Leave(GatewayProcess node)
        {
            if (_live.TryRemove(node, out var consumer))
            {
                consumer.Dispose();
            }
        }

        public bool Processed(string value) => _all.Any(c => c.Processed.ContainsKey(value));

        public void Dispose()
        {
            foreach (var consumer in _live.Values)
            {
                consumer.Dispose();
            }
        }

        public override string ToString() => $"{Name}:\n  {string.Join("\n  ", Live)}";
    }

    /// <summary>
    /// The longest time any (group, partition) went without a delivered record while publishers kept every partition
    /// fed: the time the partition had no live stream.
    /// </summary>
    private sealed class DeliveryTimeline
    {
        private readonly ConcurrentDictionary<(string, uint), long> _last = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _longest;
        private volatile bool _measuring;

        /// <summary>From now on, every (group, partition) already delivering is watched.</summary>
        public void Start()
        {
            var now = _clock.ElapsedTicks;
            foreach (var key in _last.Keys)
            {
                _last[key] = now;
            }

            _measuring = true;
        }

        public void Delivered(string group, uint partition)
        {
            var now = _clock.ElapsedTicks;
            if (_measuring && _last.TryGetValue((group, partition), out var previous))
            {
                Longer(now - previous);
            }

            _last[(group, partition)] = now;
        }

        /// <summary>The longest gap, counting the one still open at the end.</summary>
        public TimeSpan Stop()
        {
            var now = _clock.ElapsedTicks;
            foreach (var last in _last.Values)
            {
                Longer(now - last);
            }

            _measuring = false;
            return TimeSpan.FromSeconds((double)Interlocked.Read(ref _longest) / Stopwatch.Frequency);
        }

        private void Longer(long gap)
        {
            var longest = Interlocked.Read(ref _longest);
            while (gap > longest && Interlocked.CompareExchange(ref _longest, gap, longest) != longest)
            {
                longest = Interlocked.Read(ref _longest);
            }
        }
    }

    /// <summary>
    /// One caller per node publishing one record after another, each to its own node unless that node is leaving (then
    /// to another, as a Service routes): what was confirmed, and every refusal with the node it came from.
    /// </summary>
    private sealed class Publishers
    {
        private readonly ConcurrentQueue<string> _confirmed = new();
        private readonly ConcurrentQueue<Refusal> _refused = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _running;
        private List<string>? _stopped;

        public Publishers(IReadOnlyList<Slot> slots, string topic) =>
            _running = slots.Select(slot => Task.Run(async () =>
            {
                for (var i = 0; !_stop.IsCancellationRequested; i++)
                {
                    var node = slot.Node is { Leaving: false } own ? own : slots.Select(s => s.Node).FirstOrDefault(n => n is { Leaving: false });
                    if (node is null)
                    {
                        await Task.Delay(10);
                        continue;
                    }

                    var value = $"record-{slot.Index}-{i}";
                    try
                    {
                        await node.Process.Client.PublishAsync(topic, value, key: $"key-{slot.Index}-{i}");
                        _confirmed.Enqueue(value);
                    }
                    catch (RpcException e)
                    {
                        _refused.Enqueue(new Refusal(e.StatusCode, node.Pod.Name, node.Leaving, e.Status.Detail));
                    }
                }
            })).ToArray();

        public IReadOnlyList<Refusal> Refused => [.. _refused];

        public async Task<List<string>> StopAsync()
        {
            if (_stopped is null)
            {
                await _stop.CancelAsync();
                await Task.WhenAll(_running);
                _stopped = [.. _confirmed];
            }

            return _stopped;
        }
    }

    /// <param name="Leaving">whether the node was leaving when the call failed</param>
    private sealed record Refusal(StatusCode Status, string Node, bool Leaving, string Detail);
}
