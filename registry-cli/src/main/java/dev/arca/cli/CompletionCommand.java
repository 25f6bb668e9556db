package dev.arca.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = "Print a bash/zsh completion script: source <(arca completion)")
final class CompletionCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    arca.out().print(AutoComplete.bash("arca", spec.root().commandLine()));
    arca.out().flush();
    return Arca.OK;
  }
}
