using System.Collections.Generic;
using AutoencoderDsl.Training;

namespace AutoencoderDsl.Tests.Training;

public sealed class SynchronousProgressTests
{
    [Fact]
    public void ReportsArriveInOrderBeforeReportReturns()
    {
        var received = new List<int>();
        var progress = new SynchronousProgress<int>(received.Add);

        progress.Report(1);
        progress.Report(2);

        Assert.Equal([1, 2], received);
    }
}
