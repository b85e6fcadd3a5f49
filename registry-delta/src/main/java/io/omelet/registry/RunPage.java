package io.omelet.registry;

import java.util.List;

/** One page of search results; nextPageToken is null on the last page. */
public record RunPage(List<Run> runs, String nextPageToken) {}
