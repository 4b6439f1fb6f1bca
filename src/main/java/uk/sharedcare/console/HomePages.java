package uk.sharedcare.console;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;

/** The console's front door: each person goes to the pages for their role. */
@Controller
@RequestMapping(ConsoleConfig.BASE)
class HomePages {

    @GetMapping
    String home(Authentication person, Model model) {
        ConsoleUser user = ConsolePages.user(person);
        if (user.isPatient()) {
            return "redirect:" + ConsoleConfig.BASE + "/me";
        }
        if (user.has("gp")) {
            return "redirect:" + ConsoleConfig.BASE + "/practice";
        }
        if (user.has("dpo")) {
            return "redirect:" + ConsoleConfig.BASE + "/dpo";
        }
        model.addAttribute("user", user);
        return "console/home";
    }

    /** Any method: a refused form post (no CSRF token, or another role's page) is forwarded here as it came. */
    @RequestMapping("/not-allowed")
    @ResponseStatus(HttpStatus.FORBIDDEN)
    String notAllowed(Authentication person, Model model) {
        model.addAttribute("user", ConsolePages.user(person));
        return "console/not-allowed";
    }

    @GetMapping("/signed-out")
    String signedOut() {
        return "console/signed-out";
    }
}
