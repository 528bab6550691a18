using System.Net;
using System.Net.Sockets;

namespace EquipmentTwin.Testing;

/// <summary>Free loopback ports for fixtures; a port is handed out at most once per test process, so two fixtures of one test never get the same one.</summary>
public static class TestPorts
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
