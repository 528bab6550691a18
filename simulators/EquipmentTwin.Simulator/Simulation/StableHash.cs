using System.Text;

namespace EquipmentTwin.Simulator.Simulation;

/// <summary>FNV-1a 64-bit: a hash of a device id that is the same in every process (string.GetHashCode is randomized per process).</summary>
public static class StableHash
{
    public static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The seed of one device's random stream, from the run seed and the device id.</summary>
    public static int DeviceSeed(int seed, string deviceId)
    {
        var h = Fnv1a64(deviceId) ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return (int)(h & 0x7FFFFFFF);
    }
}
