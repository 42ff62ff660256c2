using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Liiklus.Actors.Receiving;

/// <summary>
/// INTERNAL API. An unbounded message queue that holds next to nothing while empty: a ring of envelopes guarded by the
/// queue's own monitor, made when a message comes and let go once the queue is empty again. Akka's default queue (a
/// <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>) holds a segment of 32 slots padded against false
/// sharing from the start, which a node with tens of thousands of idle receive streams pays once per stream, for actors
/// that see a few messages at a time.
/// </summary>
internal sealed class CompactMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private const int FirstCapacity = 4;
    private Envelope[]? _ring;
    private int _head;
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        // The queue is private to its mailbox: its own monitor costs no object of its own.
        lock (this)
        {
            if (_ring is null)
            {
                _ring = new Envelope[FirstCapacity];
                _head = 0;
            }
            else if (_count == _ring.Length)
            {
                var grown = new Envelope[_ring.Length * 2];
                for (var i = 0; i < _count; i++)
                {
                    grown[i] = _ring[(_head + i) % _ring.Length];
                }

                _ring = grown;
                _head = 0;
            }

            _ring[(_head + _count) % _ring.Length] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            envelope = _ring![_head];
            _head = (_head + 1) % _ring.Length;
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0)
            {
                _ring = null;
            }
            else
            {
                _ring[(_head + _ring.Length - 1) % _ring.Length] = default;
            }

            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
        {
            deadletters.Enqueue(owner, envelope);
        }
    }
}
