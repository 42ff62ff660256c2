using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Liiklus.Tests.Support;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server, whose connections a test can cut (a reset, as a
/// dropped network would leave them) and whose new connections it can refuse for a while.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly Task _accepting;
    private volatile bool _refusing;
    private TaskCompletionSource _flowing = Flowing();

    private TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The proxy's address, for a client of <c>http://</c> gRPC.</summary>
    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many connections were accepted and passed on so far.</summary>
    public int Connections { get; private set; }

    /// <param name="target">the server's address, e.g. http://127.0.0.1:1234</param>
    public static TcpProxy Start(string target) => new(new Uri(target).Port);

    /// <summary>Resets every open connection; when <paramref name="refuse"/>, closes new ones at once until <see cref="Accept"/>.</summary>
    public void Cut(bool refuse = false)
    {
        _refusing = refuse;
        foreach (var socket in _sockets.Keys)
        {
            Reset(socket);
        }
    }

    /// <summary>Passes new connections on again.</summary>
    public void Accept() => _refusing = false;

    /// <summary>Holds every byte of the open connections, as an unresponsive peer would, until <see cref="Resume"/>.</summary>
    public void Pause() => Interlocked.Exchange(ref _flowing, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Resume() => _flowing.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Resume();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            if (_refusing)
            {
                Reset(client);
                continue;
            }

            _ = ConnectAsync(client);
        }
    }

    private async Task ConnectAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        client.NoDelay = true;
        _sockets[client] = 0;
        _sockets[server] = 0;
        Connections++;
        await Task.WhenAny(CopyAsync(client, server), CopyAsync(server, client));
        Reset(client);
        Reset(server);
    }

    private async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                await Volatile.Read(ref _flowing).Task.WaitAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private void Reset(Socket socket)
    {
        _sockets.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
