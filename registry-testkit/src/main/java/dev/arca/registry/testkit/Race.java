package dev.arca.registry.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs tasks on real threads released together by a start gate, so they truly race, and collects each one's
 * outcome (its value or the exception it threw).
 */
public final class Race {

  private Race() {}

  /**
   * One task's outcome.
   *
   * @param value what it returned, or null
   * @param error what it threw, or null
   * @param <T> the value type
   */
  public record Outcome<T>(T value, Throwable error) {
    /**
     * Whether the task returned normally.
     *
     * @return true when it did not throw
     */
    public boolean ok() {
      return error == null;
    }
  }

  /** A task that knows its index among the racers. */
  @FunctionalInterface
  public interface Task<T> {
    /**
     * Runs racer number {@code index}.
     *
     * @param index from 0
     * @return its value
     * @throws Exception anything; recorded as the outcome
     */
    T run(int index) throws Exception;
  }

  /**
   * Starts {@code threads} racers, releases them at once, and waits for all (at most five minutes).
   *
   * @param threads how many
   * @param task what each runs
   * @param <T> the value type
   * @return the outcomes, by racer index
   */
  public static <T> List<Outcome<T>> run(int threads, Task<T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<T> racer = () -> {
          ready.countDown();
          go.await();
          return task.run(index);
        };
        futures.add(pool.submit(racer));
      }
      ready.await();
      go.countDown();
      List<Outcome<T>> outcomes = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          outcomes.add(new Outcome<>(f.get(5, TimeUnit.MINUTES), null));
        } catch (ExecutionException e) {
          outcomes.add(new Outcome<>(null, e.getCause()));
        }
      }
      return outcomes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while racing", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("a racer did not finish within five minutes: deadlock?", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
