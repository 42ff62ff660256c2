using System.Diagnostics;
using Confluent.Kafka;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;
using ContentFormat = Liiklus.Protocol.ReceiveRequest.Types.ContentFormat;

namespace Liiklus.Tests.Operations;

/// <summary>
/// Traces from Publish through Kafka (librdkafka's mock cluster) to Receive. Alone in their collection: span sources are
/// process-wide, so a tracing gateway would trace every other gateway running beside it.
/// </summary>
[Collection(TracingCollection.Name)]
public sealed class TracingSpecs(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>
{
    [Fact]
    public async Task A_published_event_is_traced_from_publish_through_kafka_to_receive_in_one_trace()
    {
        var spans = new List<Activity>();
        using var otlp = new OtlpReceiver();
        await using var gateway = await TestGateway.StartAsync(
            cluster.GatewayHocon,
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
            $"--OTEL_EXPORTER_OTLP_ENDPOINT={otlp.Endpoint}",
            "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
            "--OTEL_BSP_SCHEDULE_DELAY=100");
        var topic = cluster.NewTopic(partitions: 2);

        var published = await gateway.Client.PublishAsync(
            new PublishRequest { Topic = topic, LiiklusEvent = NewEvent("text/plain", "traced") },
            deadline: DateTime.UtcNow.AddSeconds(20));
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition), ContentFormat.LiiklusEvent);
        var received = (await receive.ReadAsync(1)).Single().LiiklusEventRecord.Event;

        var producer = Single(spans, s => s.OperationName == $"publish {topic}" && s.Kind == ActivityKind.Producer);
        var delivery = await Eventually.Until(
            () => Task.FromResult(Find(spans, s => s.OperationName == $"deliver {topic}")),
            s => s is not null,
            "the delivery span");
        var publishCall = Single(spans, s => s.Kind == ActivityKind.Server && s.SpanId == producer.ParentSpanId);
        // The record carries the producer span's context as the CloudEvents extension, in a ce_traceparent header.
        Assert.Equal($"00-{producer.TraceId}-{producer.SpanId}-01", received.Extensions["traceparent"]);
        Assert.Equal(publishCall.TraceId, producer.TraceId);
        Assert.Equal(producer.TraceId, delivery!.TraceId);
        Assert.Equal(producer.SpanId, delivery.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        // ... linked to the Receive call that delivered it.
        var link = Assert.Single(delivery.Links);
        receive.Dispose();
        var receiveCall = await Eventually.Until(
            () => Task.FromResult(Find(spans, s => s.SpanId == link.Context.SpanId)),
            s => s is not null,
            "the Receive call's span, once the call has ended");
        Assert.Equal(ActivityKind.Server, receiveCall!.Kind);
        Assert.Contains("Receive", receiveCall.DisplayName, StringComparison.Ordinal);
        using (var consumer = PlainKafkaClients.Consumer(cluster, NewName("plain")))
        {
            consumer.Assign(new TopicPartitionOffset(topic, (int)published.Partition, (long)published.Offset));
            var header = consumer.ConsumeOne().Message.Headers.Single(h => h.Key == "ce_traceparent");
            Assert.Equal(received.Extensions["traceparent"], System.Text.Encoding.UTF8.GetString(header.GetValueBytes()));
        }

        // And exported over OTLP, since OTEL_EXPORTER_OTLP_ENDPOINT is set.
        var traceIdBytes = Convert.FromHexString(producer.TraceId.ToHexString());
        await Eventually.Until(() => Task.FromResult(otlp.Received("/v1/traces", traceIdBytes)), got => got, "spans of the trace exported over OTLP");
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_nothing_is_traced_and_events_carry_no_trace_context()
    {
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon);
        var topic = cluster.NewTopic(partitions: 1);

        var published = await gateway.Client.PublishAsync(
            new PublishRequest { Topic = topic, LiiklusEvent = NewEvent("text/plain", "untraced") },
            deadline: DateTime.UtcNow.AddSeconds(20));
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition), ContentFormat.LiiklusEvent);

        var received = (await receive.ReadAsync(1)).Single().LiiklusEventRecord.Event;
        Assert.False(received.Extensions.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_a_call_starts_no_activity_of_its_own()
    {
        var seen = new ActivityAtPublish();
        await using var gateway = await TestGateway.StartAsync("", services => services.AddSingleton<IStartupFilter>(seen));

        await gateway.Client.PublishAsync(NewName("topic"), "v");

        Assert.Equal(1, seen.Calls);
        Assert.Null(seen.Current);
    }

    /// <summary>Notes <see cref="Activity.Current"/> as a Publish call enters the gateway's pipeline.</summary>
    private sealed class ActivityAtPublish : IStartupFilter
    {
        public int Calls { get; private set; }

        public Activity? Current { get; private set; }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Path.Value?.EndsWith("/Publish", StringComparison.Ordinal) == true)
                {
                    Calls++;
                    Current = Activity.Current;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private static Activity? Find(List<Activity> spans, Func<Activity, bool> match)
    {
        lock (spans)
        {
            return spans.FirstOrDefault(match);
        }
    }

    private static Activity Single(List<Activity> spans, Func<Activity, bool> match)
    {
        lock (spans)
        {
            return spans.Single(match);
        }
    }
}
