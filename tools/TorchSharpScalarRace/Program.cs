using System.Runtime.InteropServices;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

// TorchSharp 0.107's Scalar holds a raw native handle and frees it in a finalizer. `t.add_(1e-8)`
// converts 1e-8 to a temporary Scalar, passes its handle to native code, and nothing keeps the
// Scalar alive during that call: a garbage collection started by another thread can finalize it
// and free the handle while libtorch still reads it. This program counts how often that happens,
// first with implicit Scalars, then with a Scalar the caller holds (the control).
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 30;
var other = args.Length > 1 ? args[1] : "torch";
Console.WriteLine($"TorchSharp {typeof(Scalar).Assembly.GetName().Version}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {seconds:F0} s per mode");

var stop = false;
var allocator = new Thread(() =>
{
    // Another thread that allocates, as a parallel test or a decoding loop does.
    while (!Volatile.Read(ref stop))
    {
        var junk = new byte[4096][];
        for (var i = 0; i < junk.Length; i++)
        {
            junk[i] = new byte[64];
        }

        if (other == "torch")
        {
            using var small = zeros(8);
            small.add_(2.5);
        }
    }
});
if (other != "none")
{
    allocator.Start();
}

Run("implicit Scalar (t.add_(1e-8))", t => t.add_(1e-8));
using (var held = 1e-8.ToScalar())
using (var one = 1.0.ToScalar())
{
    // add_(Scalar) also makes an implicit alpha of 1: the control holds both.
    Run("held Scalars (t.add_(held, one))", t => t.add_(held, one));
}

Volatile.Write(ref stop, true);
if (other != "none")
{
    allocator.Join();
}

void Run(string mode, Action<Tensor> add)
{
    using var t = zeros(1000);
    long calls = 0, errors = 0, wrong = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        t.zero_();
        try
        {
            add(t);
        }
        catch (ExternalException e)
        {
            if (errors++ < 2)
            {
                Console.WriteLine("  " + e.Message.Split('\n')[0] + " | " + e.Message.Split('\n')[1]);
            }
        }

        calls++;
        using var first = t[0];
        if (first.item<float>() != 1e-8f)
        {
            wrong++;
        }
    }

    Console.WriteLine($"{mode}: {calls:N0} calls, {errors} native errors, {wrong} wrong results");
}
