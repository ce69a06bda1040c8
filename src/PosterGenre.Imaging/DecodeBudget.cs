namespace PosterGenre.Imaging;

/// <summary>
/// A bound on the memory that decoded frames may hold at once across the process: each decode
/// reserves the bytes of its frames (the decoded frame and its upright copy) before allocating
/// them and gives them back once the poster is resized. A decode that does not fit waits, up to a
/// limit, for others to finish; one that could never fit is refused at once. So many concurrent
/// uploads of large but valid images slow down instead of taking the process past its memory.
/// </summary>
public sealed class DecodeBudget
{
    // Monitor.Wait/PulseAll need a plain object (System.Threading.Lock has no condition wait).
    private readonly object gate = new();
    private long available;

    public DecodeBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, 1);
        CapacityBytes = capacityBytes;
        available = capacityBytes;
    }

    public long CapacityBytes { get; }

    /// <summary>Bytes not reserved right now.</summary>
    public long AvailableBytes
    {
        get
        {
            lock (gate)
            {
                return available;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/>, waiting up to <paramref name="wait"/>; dispose the result to give them back.</summary>
    /// <exception cref="PosterImageException">
    /// <see cref="PosterImageError.TooManyPixels"/> when the frame alone is larger than the budget;
    /// <see cref="PosterImageError.DecoderBusy"/> when it does not fit within <paramref name="wait"/>.
    /// </exception>
    public IDisposable Reserve(long bytes, TimeSpan wait)
    {
        if (bytes > CapacityBytes)
        {
            throw new PosterImageException(PosterImageError.TooManyPixels,
                $"Decoding the image needs {bytes / 1048576.0:F0} MB, more than the service's decode budget of {CapacityBytes / 1048576.0:F0} MB.");
        }

        var deadline = DateTime.UtcNow + wait;
        lock (gate)
        {
            while (available < bytes)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(gate, left))
                {
                    throw new PosterImageException(PosterImageError.DecoderBusy,
                        $"The service is decoding other large images; {bytes / 1048576.0:F0} MB of decode memory did not free up within {wait.TotalSeconds:F0} s. Try again shortly.");
                }
            }

            available -= bytes;
        }

        return new Reservation(this, bytes);
    }

    private void Return(long bytes)
    {
        lock (gate)
        {
            available += bytes;
            Monitor.PulseAll(gate);
        }
    }

    private sealed class Reservation(DecodeBudget budget, long bytes) : IDisposable
    {
        private int returned;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref returned, 1) == 0)
            {
                budget.Return(bytes);
            }
        }
    }
}
